pub mod directive;
