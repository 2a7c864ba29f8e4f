"""Pages (server-rendered) and the session, sign-in and CSRF around them."""
