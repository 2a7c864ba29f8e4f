"""The portal keeps no models of its own: pages render the services' answers."""
