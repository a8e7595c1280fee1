"""Coaching services: grounded answers, rehearsal, debrief and drafting."""
