"""One neuron drawn as the series draws it: inputs and bias into a sum, the activation, y."""
