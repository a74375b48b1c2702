"""The counselor console at /console: sign-in, the agency's queue, sheets and claims."""
