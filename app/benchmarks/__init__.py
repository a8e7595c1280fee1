"""`upward bench`: what a person waits for, each path as a ratio to a floor measured in the same run.

- `report`: a measured row (value, floor, ratio, goal), the printed table and `bench.json`.
- `probe`: records the embedded model's generations and times raw llama.cpp on the same prompts.
- `paths`: the in-process user paths (rehearsal turn, Ask, draft, debrief) through the services.
- `processes`: `upward search` and `upward serve` as processes, the first reply after start-up,
  and the served app's peak memory after a full tour.

Numbers are printed and written, never asserted: the machine may be shared, so only ratios to a
floor measured in the same run mean much.
"""
