"""The extract stage: one document to records. One module per kind of record;
``parley.extract.run`` runs them in order over parsed documents."""
