"""Teams and people: who leads, who is a person, who may see what, which workspace a request is filed under."""
