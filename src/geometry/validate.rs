//! Validation of input features, naming the culprit.
