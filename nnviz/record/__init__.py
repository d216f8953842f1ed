"""Record a training nnviz did not run (scikit-learn, PyTorch, Keras or any loop) as a log."""
