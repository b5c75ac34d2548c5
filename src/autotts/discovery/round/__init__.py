"""One round of the loop: its state (the phases), the phase steps, its archive and scores."""
