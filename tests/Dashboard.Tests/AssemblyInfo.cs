// Each test runs Admin, a Gateway, two game servers and a Chromium: one at a time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
