"""``parley fetch``: the ingest stage for the web. Feeds, sitemaps and pages, fetched
politely and safely (``http``, ``addresses``), told apart by content (``discover``),
read into Documents (``pages``); ``run`` is one pass over the sources (``sources``).
Nothing here extracts or reconciles: ``parley.pipeline.fetch`` hands the Documents on."""
