"""Suite-wide fixtures come from the harness plugin (`shared.testing.plugin`)."""
