"""What a case is: reference library, algorithm and case documents, and their authoring."""
