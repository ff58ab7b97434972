#!/bin/sh
# Paquets Debian dont la suite de tests a besoin, installés s'ils manquent (en root, par apt-get) :
#   bubblewrap : le bac à sable où s'exécute le code des candidats pendant l'autocorrection ;
#   postgresql : le serveur du gradebook partagé (les tests en démarrent un, le temps de la suite) ;
#   chromium : le navigateur où les tests ouvrent JupyterLab (piloté par Playwright, jamais téléchargé) ;
#   nodejs, npm puis configurable-http-proxy (registre npm) : le proxy de JupyterHub (tests/test_jupyterhub.py).
# Sans les droits d'installer, les tests qui en dépendent sont sautés, avec la commande à lancer.
set -e
need=""
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v configurable-http-proxy >/dev/null 2>&1 || command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
if [ -z "$need" ]; then
    :
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installation des paquets Debian nécessaires aux tests :$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1 || {
        apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $need >/dev/null; }
else
    echo "Paquets Debian absents :$need ; les tests qui en dépendent seront sautés (sudo apt-get install$need)."
fi
if ! command -v configurable-http-proxy >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v npm >/dev/null 2>&1; then
        echo "Installation du proxy de JupyterHub (npm install -g configurable-http-proxy@5)"
        npm install -g --no-audit --no-fund --silent configurable-http-proxy@5 >/dev/null 2>&1 \
            || echo "configurable-http-proxy n'a pas pu être installé : le test JupyterHub sera sauté."
    else
        echo "configurable-http-proxy absent : le test JupyterHub sera sauté (sudo npm install -g configurable-http-proxy)."
    fi
fi
