# Deux commandes suffisent : `make demo` et `make test`. Chacune crée .venv et y installe le projet si besoin.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe

.PHONY: install demo test test-fast systeme lab lab-candidat lint release clean extension

install: $(STAMP)

$(STAMP): pyproject.toml mdpc_utils/jupyterlab/enregistrer/lib/index.js mdpc_utils/jupyterlab/nbgrader_fr.py \
          mdpc_utils/jupyterlab/nbgrader_fr.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est requis (trouvé : " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# before 0.2 the project was installed as « mdpc-utils »: an old .venv drops it
	@$(BIN)/python -m pip uninstall --quiet --yes mdpc-utils >/dev/null 2>&1 || true
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# rfc3987-syntax (vérification facultative du format « iri » de jsonschema, tirée par l'extra « format-nongpl »
	@# de jupyter-events) construit 38 analyseurs Lark à chaque import de nbformat : 1,7 s par processus (nbgrader,
	@# papermill, mdpc). Aucun schéma de la pile ne vérifie ce format : le paquet est retiré (README, dépendances).
	@$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax >/dev/null 2>&1 || true
	@# Réglages JupyterLab du projet : toutes les cellules restent affichées (formulaires), pas de nouvelles en ligne
	@mkdir -p $(VENV)/share/jupyter/lab/settings && cp mdpc_utils/jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@# Ctrl+S depuis un champ de formulaire (extension construite, livrée : mdpc_utils/jupyterlab/enregistrer/)
	@rm -rf $(VENV)/share/jupyter/labextensions/mdpc-enregistrer && mkdir -p $(VENV)/share/jupyter/labextensions
	@cp -r mdpc_utils/jupyterlab/enregistrer/labextension $(VENV)/share/jupyter/labextensions/mdpc-enregistrer
	@# l'extension JupyterLab de nbgrader en français (mdpc_utils/jupyterlab/nbgrader_fr.py et sa table nbgrader_fr.json)
	@$(BIN)/python -m mdpc_utils.jupyterlab.nbgrader_fr
	@# formgrader journaled and blind for rubric cells (mdpc/grading/formgrader_journal.py)
	@mkdir -p $(VENV)/etc/jupyter/jupyter_server_config.d && cp mdpc/grading/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.d/mdpc.json
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mdpc demo

# Deux fichiers de tests à la fois (pytest-xdist, un par cœur ; les fixtures d'un fichier restent dans son processus ;
# les fichiers les plus longs d'abord, dans l'ordre de tests/conftest.py),
# puis les tests de JupyterLab dans Chromium, seuls : un navigateur sur une machine saturée perd des clics.
test: $(STAMP) systeme
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --ignore=tests/test_navigateur.py
	$(BIN)/python -m pytest tests/test_navigateur.py

# Tests unitaires et de contrat seulement (moins de 3 minutes) : ni nbgrader, ni noyau Jupyter hors leçons, ni Chromium, ni PostgreSQL.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# Paquets Debian des tests (bac à sable) : installés en root s'ils manquent, sinon tests sautés.
systeme:
	@sh tests/systeme.sh

# make lab CORRECTEUR="Mme Aubert" : le nom qui signe les niveaux saisis dans formgrader.
# make lab COURS=dossier : le cours que formgrader montre (il lit le nbgrader_config.py du dossier où Jupyter démarre) ;
# par défaut demo_mdpc/ s'il a un gradebook (après make demo), sinon la racine du projet. Le dossier reste sous --notebook-dir.
# En root (conteneur, machine de démonstration), Jupyter exige --allow-root : ajouté seulement dans ce cas.
RACINE := $(if $(filter 0,$(shell id -u)),--allow-root)
COURS ?= $(if $(wildcard demo_mdpc/gradebook.db),demo_mdpc,.)
lab: $(STAMP)
	cd "$(COURS)" && MDPC_CORRECTEUR="$(CORRECTEUR)" "$(CURDIR)/$(BIN)/jupyter" lab --notebook-dir="$(CURDIR)" $(RACINE)

# Le JupyterLab des candidats (en français, sans les outils du formateur), ouvert sur release/
lab-candidat: $(STAMP)
	JUPYTER_CONFIG_PATH=$(CURDIR)/mdpc_utils/jupyterlab/candidats $(BIN)/jupyter lab --notebook-dir=release $(RACINE)

lint: $(STAMP)
	$(BIN)/ruff check mdpc_utils mdpc tests benchmarks

release: $(STAMP)
	$(BIN)/mdpc publier

clean:
	rm -rf $(VENV) demo_mdpc gradebook.db submitted autograded feedback

# Reconstruit l'extension « Ctrl+S depuis un formulaire » (poste du développeur : Node.js et le registre npm) ;
# le résultat, mdpc_utils/jupyterlab/enregistrer/labextension/, est livré avec le dépôt.
extension: $(STAMP)
	@rm -rf /tmp/mdpc-enregistrer && cp -r mdpc_utils/jupyterlab/enregistrer /tmp/mdpc-enregistrer
	cd /tmp/mdpc-enregistrer && rm -rf labextension && npm install --no-audit --no-fund --silent
	cd /tmp/mdpc-enregistrer && node node_modules/@jupyterlab/builder/lib/build-labextension.js \
		--core-path "$$($(BIN)/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')" .
	@rm -rf mdpc_utils/jupyterlab/enregistrer/labextension && cp -r /tmp/mdpc-enregistrer/static mdpc_utils/jupyterlab/enregistrer/labextension
	@rm -f $(STAMP) && $(MAKE) --no-print-directory install
