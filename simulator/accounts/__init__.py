"""The people: programs, who holds which role in them, and the questions
"who is this, what may they do" that every other app asks. Beneath every
other app, it imports none of them."""
