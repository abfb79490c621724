// Each test runs Redis, five services and four game servers as real processes and sockets. Two such stacks
// at once on a 2-core CI machine would make "within the deadline" and "zero failed requests" about the
// machine, not the product: one stack at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
