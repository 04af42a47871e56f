"""JupyterHub for a class on one server: every student gets the cors-lab course in a folder of their own.

Install on the server:  pip install 'cors-lab[hub]'  and  npm install -g configurable-http-proxy
Run:                    jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
With The Littlest JupyterHub, copy this file into /opt/tljh/config/jupyterhub_config.d/ instead (TLJH
then keeps its own authenticator and systemd spawner, and adds these course settings).

Only course settings are here. Authentication is JupyterHub's default (PAM: the server's own accounts,
one per student) or whatever authenticator you add; nothing here turns it off. Put the Hub behind HTTPS
(a reverse proxy, or c.JupyterHub.ssl_cert / ssl_key) before students log in over a network.
docs/teaching.md covers the whole set-up and the limits of one shared machine.
"""

c = get_config()  # noqa: F821 (JupyterHub provides it)

# Each student's server starts on their own copy of the course (~/cors-lab-course), made on first start and
# never overwritten after (a newer course version goes beside an edited notebook), and opens notebook 00.
c.Spawner.cmd = ["cors-lab", "singleuser"]
c.Spawner.default_url = "/lab/tree/00_start_here.ipynb"

# The lessons' servers run inside each student's kernel on 127.0.0.1, on ports the system hands out (3000 and
# 8000 go to whoever asks first; everyone else gets free ports, and the notebooks say which). Students'
# browsers cannot reach a server's loopback, so live_browser loads its page through jupyter-server-proxy
# (in cors-lab[hub]) at /user/<name>/proxy/<port>/, behind the Hub's login like the rest of their server.

# A class logs in at once at the start of a lesson: give slow first starts room.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# What one student needs (measured by tests/test_hub.py: about 250 MB with a lesson running). Spawners that
# enforce limits (systemd in TLJH, Kubernetes) apply these; the plain local spawner ignores them.
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0
