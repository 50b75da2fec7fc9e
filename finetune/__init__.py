"""Producing an adapter for a home: dataset generation, LoRA training, evaluation."""
