namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Keeps the ids of stored sweeps; written before a sweep is first stored, so none is ever missing from it.</summary>
public sealed class SweepIndexGrain([PersistentState("sweeps")] IPersistentState<SweepIndexState> state) : Grain, ISweepIndexGrain
{
    public async Task Add(string sweepId)
    {
        if (state.State.SweepIds.Contains(sweepId))
            return;
        state.State.SweepIds.Add(sweepId);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. state.State.SweepIds]);
}
