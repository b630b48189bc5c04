//! Writing the computed measures as CSV.
