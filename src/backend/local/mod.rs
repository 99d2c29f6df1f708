//! The embedded backend: a `SQLite` file that holds a real billing catalog.
