"""Evaluation (绩效考评, Art. 22): built by the evaluation issue."""
