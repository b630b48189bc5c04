//! The `compute` pipeline: read, validate, project, compute, write.
