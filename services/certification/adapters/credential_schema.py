"""Tables of portable credentials (models in tables.py, revision 0002).

``credential_keys`` is not a projection: it holds each agency's signing keys (private
keys as PKCS#8 PEM, encrypted with ``CERTIFICATION_CREDENTIAL_KEY_SECRET`` when set),
generated on first use and rotated by an admin; a rebuild leaves it alone.
``credentials`` is the projection of ``credential_issued`` and
``credential_status_changed``: rebuilt from the log like the others.
"""

from __future__ import annotations

CREDENTIAL_PROJECTION_TABLES = ("credentials",)
