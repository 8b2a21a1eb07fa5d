"""JupyterLab 4.6 front end (built into build/ by webpack) on Debian's jupyterlab-server.

JupyterLab itself is not packaged by Debian 12 and PyPI is out of reach, but its front end
builds from npm, and Debian's python3-jupyterlab-server serves any such front end through a
LabServerApp subclass (JupyterLab's examples/app pattern). Run with Debian's Python:

    /usr/bin/python3 jupyterlab/lab_app.py --ServerApp.root_dir=. --ip=127.0.0.1

Every ServerApp option applies (--port, --ServerApp.token, --ContentsManager.allow_hidden...);
this app's own traits are set as --Eco2mixLab.<name> (user_settings_dir, workspaces_dir).
"""

import json
import os

from jupyterlab_server import LabServerApp
from traitlets import Unicode

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

# Configuration files on disk (a user's jupyter_server_config) do not apply: the harness
# behaves the same on every machine.
os.environ["JUPYTER_NO_CONFIG"] = "1"

with open(os.path.join(HERE, "package.json"), encoding="utf-8") as package:
    VERSION = json.load(package)["dependencies"]["@jupyterlab/application"]


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": Eco2mixLab}]


class Eco2mixLab(LabServerApp):
    """JupyterLab at /lab, with the project's settings overrides (settings/overrides.json)."""

    name = "eco2mix_lab"
    extension_url = "/lab"
    default_url = "/lab"
    app_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab"
    app_version = VERSION
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    # overrides.json: settings defaults of this install (the news prompt disabled).
    app_settings_dir = os.path.join(HERE, "settings")
    # Traits, so that the command line can move them (the tests use a scratch folder).
    user_settings_dir = Unicode(os.path.join(BUILD, "user_settings")).tag(config=True)
    workspaces_dir = Unicode(os.path.join(BUILD, "workspaces")).tag(config=True)


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BUILD, "bundle.js")):
        raise SystemExit(f"{BUILD}/bundle.js is missing: run `npx -y deno@2.9.6 task jupyterlab`")
    Eco2mixLab.launch_instance()
