"""Who may do what (roles and the signed-in person), and the append-only record of what they did.
"""
