"""The drug-target stage: labels, classifier, calls, seeds."""
