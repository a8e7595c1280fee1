"""Retrieval: knowledge cards and ingested documents, searched with MiniLM vectors in Chroma plus BM25.

Entry points (import the submodules; nothing heavy loads until first use):
- `app.retrieval.search.search(query, k, scenario=, topics=)` -> list[Hit], best first
- `app.retrieval.ingest.ingest(paths, rebuild=)` -> IngestReport
- `app.retrieval.bench.run(settings)` -> benchmark rows for `upward bench`
"""
