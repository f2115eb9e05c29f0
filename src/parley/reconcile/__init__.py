"""The reconcile stage: all documents' extractions to corpus-wide actors and views.
One module per concern; ``parley.reconcile.run`` runs them in order."""
