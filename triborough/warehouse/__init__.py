"""Everything that writes the warehouse: the build, the transforms, council loads and their checks,
the council store, backups and the illustrative tables.
"""
