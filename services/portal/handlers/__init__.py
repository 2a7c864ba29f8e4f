"""Use cases of the portal: gather what a page needs from the services, concurrently."""
