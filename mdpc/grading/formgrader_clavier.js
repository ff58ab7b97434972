// MDPC — formgrader's grading page: keyboard shortcuts that work on AZERTY and QWERTY keyboards, their help
// in French, the « Précédente » / « Suivante » links that keep the current cell, and a visible refusal when a
// score or comment is not saved. Loaded after nbgrader's formgrade.js (mdpc/grading/formgrader_french.py).
//
// nbgrader reads the key code (event.which): Ctrl+. is code 190, which a French AZERTY keyboard types only with
// Maj, so the shortcut never fires there (nbgrader issue #1901). Here a shortcut is read from the character
// typed (event.key), which is the same on both layouts: Ctrl + « . » (AZERTY: Ctrl+Maj+;), Ctrl + « , »,
// Ctrl + « > » (QWERTY: Ctrl+Maj+. ; AZERTY: Ctrl+Maj+<), Ctrl + « < » (QWERTY: Ctrl+Maj+, ; AZERTY: Ctrl+<).
// The physical key (event.code) is the fallback when the browser gives no character.
(function () {
    "use strict";

    var NAMED = {"Tab": "tab", "Escape": "escape", "Esc": "escape", "Enter": "enter"};
    var CHARACTERS = {".": "control-.", ",": "control-,", ">": "control-shift-.", "<": "control-shift-,"};
    var PHYSICAL = {"Period": [".", ">"], "Comma": [",", "<"]};  // [without Maj, with Maj] on a QWERTY keyboard

    // binding (nbgrader's name) -> keys shown in the help
    var KEYS = {
        "tab": "Tab",
        "shift-tab": "Maj + Tab",
        "escape": "Échap",
        "enter": "Entrée",
        "control-.": "Ctrl + .  (AZERTY : Ctrl + Maj + ;)",
        "control-,": "Ctrl + ,",
        "control-shift-.": "Ctrl + >  (QWERTY : Ctrl + Maj + . ; AZERTY : Ctrl + Maj + <)",
        "control-shift-,": "Ctrl + <  (QWERTY : Ctrl + Maj + , ; AZERTY : Ctrl + <)",
        "control-shift-f": "Ctrl + Maj + F"
    };
    var SAME_CELL = "Copie suivante ou précédente : la page s'ouvre sur la même note ou le même commentaire " +
        "(la même cellule) de l'autre copie. On note ainsi une question pour tous les candidats, copie après " +
        "copie. Les liens « Précédente » et « Suivante » du haut de la page font de même ; la note ou le " +
        "commentaire en cours est enregistré avant de changer de copie.";

    function bindingOf(manager, e) {
        if (e.altKey) {
            return undefined;  // AltGr (Ctrl+Alt on Windows) types characters: never a shortcut
        }
        var named = NAMED[e.key];
        if (named) {
            return manager.constructKeybinding(named, e.ctrlKey, e.shiftKey);
        }
        if (!e.ctrlKey) {
            return undefined;
        }
        var key = e.key;
        if ((!key || key.length !== 1) && PHYSICAL[e.code]) {
            key = PHYSICAL[e.code][e.shiftKey ? 1 : 0];
        }
        if (CHARACTERS[key]) {
            return CHARACTERS[key];  // Maj is part of the character (AZERTY types « . » with Maj)
        }
        if (key && key.toLowerCase() === "f") {
            return manager.constructKeybinding("f", true, e.shiftKey);
        }
        return undefined;
    }

    KeyboardManager.prototype.makeSelectorHandler = function (selector) {
        var that = this;
        return function (e) {
            var binding = bindingOf(that, e.originalEvent || e);
            var handler = binding && that.handlers[selector][binding];
            if (handler) {
                handler(e);
            }
        };
    };

    KeyboardManager.prototype.showHelp = function () {
        var body = $("<div/>");
        var list = $("<div/>").addClass("container-fluid striped");
        body.append(list);
        for (var binding in this.help) {
            list.append($("<div/>").addClass("row")
                .append($("<div/>").addClass("col-md-5 shortcut-key").text(KEYS[binding] || binding))
                .append($("<div/>").addClass("col-md-7 shortcut-help").text(this.help[binding])));
        }
        body.append($("<p/>").css("margin-top", "1em").text(SAME_CELL));
        var footer = $("<button/>").addClass("btn btn-primary").attr("type", "button")
            .attr("data-dismiss", "modal").text("Fermer");
        var modal = createModal("help-dialog", "Raccourcis clavier", body, footer);
        modal.find(".modal-dialog").addClass("modal-lg");
    };

    // Without network MathJax is absent: nbgrader's page would stop before registering its shortcuts
    var configureScrolling = FormGrader.prototype.configureScrolling;
    FormGrader.prototype.configureScrolling = function () {
        if (typeof window.MathJax === "undefined") {
            window.MathJax = {Hub: {Startup: {signal: {Interest: function (listener) {
                setTimeout(function () { listener("End"); }, 0);
            }}}}};
        }
        return configureScrolling.call(this);
    };

    function showRefusal(model, xhr) {
        var reason = (xhr && xhr.statusText) || "erreur du serveur";
        $("#statusmessage").stop(true, true).text("Non enregistré : " + reason)
            .css({"color": "rgba(200, 0, 0, 0.9)"}).show();
    }

    var loadGrades = FormGrader.prototype.loadGrades;
    FormGrader.prototype.loadGrades = function () {
        loadGrades.call(this);
        this.grades.on("error", showRefusal);
    };
    var loadComments = FormGrader.prototype.loadComments;
    FormGrader.prototype.loadComments = function () {
        loadComments.call(this);
        this.comments.on("error", showRefusal);
    };

    // « Précédente » / « Suivante »: the same cell of the other copy, as the shortcuts do
    $(function () {
        $("li.previous a, li.next a").on("click", function (e) {
            if (typeof formgrader === "undefined" || !formgrader.loaded) {
                return;  // the page is not ready: nbgrader's plain link
            }
            e.preventDefault();
            if ($(this).closest("li").hasClass("next")) {
                formgrader.nextAssignment();
            } else {
                formgrader.prevAssignment();
            }
        });
    });
}());
