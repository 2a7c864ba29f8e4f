"""The portal's edges: HTTP clients of the four services' public APIs, tokens, OIDC."""
