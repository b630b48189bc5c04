//! A synthetic but realistic ward in phường Ngọc Sơn.
