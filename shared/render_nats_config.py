"""Write `deploy/nats/nats-server.conf`: passwords as environment variable references.

`python -m shared.render_nats_config demo-agency other-agency > deploy/nats/nats-server.conf`
"""

from __future__ import annotations

import sys

from shared.nats_auth import SERVICES, env_placeholders, render_config

if __name__ == "__main__":
    agencies = sys.argv[1:] or ["demo-agency"]
    sys.stdout.write(render_config(env_placeholders(SERVICES), env_placeholders(agencies)))
