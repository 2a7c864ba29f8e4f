"""Pure rules of the portal: who is signed in, how the board ranks, what a form holds."""
