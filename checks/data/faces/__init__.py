"""Evaluation data of the ``faces`` detector: ``build_eval`` renders the tune and eval image
splits offline from images shipped by installed wheels; ``*.manifest.jsonl`` hold their ground
truth (see ``checks/docs/faces.md``)."""
