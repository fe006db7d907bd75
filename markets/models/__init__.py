"""Markets models, one module per concept; everything is re-exported here."""
