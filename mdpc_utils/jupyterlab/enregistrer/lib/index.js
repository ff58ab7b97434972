/*
 * mdpc-enregistrer — Ctrl+S (Cmd+S) saves the notebook even while the cursor is in a form field.
 *
 * ipywidgets stops the propagation of key events typed in its fields (so that typing « a » in a text box does not
 * insert a cell), and JupyterLab 4 reads its shortcuts as the events bubble up: Ctrl+S typed in a form therefore
 * never reached the « save » command, and the browser offered to save the web page instead. This listener runs
 * first (capture phase), only for Ctrl+S / Cmd+S typed inside a widget: it commits the field (a text field of the
 * kit sends its value when it loses focus), runs JupyterLab's own save command and gives the focus back.
 */
const WIDGET = '.jupyter-widgets, .widget-area, .jp-OutputArea-output';

function isSave(event) {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && (event.key || '').toLowerCase() === 's';
}

const plugin = {
  id: 'mdpc-enregistrer:plugin',
  description: 'Ctrl+S enregistre le carnet depuis un champ de formulaire.',
  autoStart: true,
  activate: app => {
    document.addEventListener(
      'keydown',
      event => {
        const target = event.target;
        if (!isSave(event) || !(target instanceof Element) || !target.closest(WIDGET)) {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
        if (typeof target.blur === 'function') {
          target.blur(); // the field sends its value to the kernel (and the answers file) before the save
        }
        window.setTimeout(() => {
          void app.commands.execute('docmanager:save').finally(() => {
            if (typeof target.focus === 'function' && target.isConnected) {
              target.focus();
            }
          });
        }, 50);
      },
      true
    );
  }
};

export default plugin;
