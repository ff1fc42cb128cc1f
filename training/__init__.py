"""Multi-stage expert iteration: data, filtering, fine-tuning, evaluation."""
