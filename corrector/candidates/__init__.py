"""Candidate originals for suspect spans: the generator, the reverse thesaurus table, the
channel model that scores them, spin rules and inflection."""
