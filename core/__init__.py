"""Chain Rule Studio's computation core (numpy + sympy, never Qt)."""
