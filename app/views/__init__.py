"""The studio's panels; each observes the session model and never owns state."""
