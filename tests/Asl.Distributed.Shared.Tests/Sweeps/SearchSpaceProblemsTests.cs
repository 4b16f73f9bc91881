using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>
/// The search space: each kind of bad key or domain is a problem at the domain's path, naming what is allowed; every
/// value a trial may receive is checked against the training key's own range.
/// </summary>
public sealed class SearchSpaceProblemsTests
{
    private static string Random(string space) => $"name: s\nalgorithm: {{kind: random, num_trials: 3}}\nsearch_space:\n  {space}\n";

    [Fact]
    public void SearchSpace_NotAMapping_ShowsTheForm()
    {
        var problem = SpecText.ProblemAt("name: s\nsearch_space: [loss.gamma_neg]\n", "search_space");
        Assert.Contains("must map training keys to domains, for example loss.gamma_neg: {uniform: [1, 6]}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_Misspelt_SuggestsTheTrainingKey()
    {
        var problem = SpecText.ProblemAt(Random("loss.gama_neg: {uniform: [1, 6]}"), "search_space.loss.gama_neg");
        Assert.Contains("is not a training key: unknown setting (did you mean gamma_neg?); allowed keys here: preset, gamma_neg", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_UnknownSection_ListsTheSections()
    {
        var problem = SpecText.ProblemAt(Random("los.gamma_neg: {uniform: [1, 6]}"), "search_space.los.gamma_neg");
        Assert.Contains("los: unknown section; allowed keys here: seed, data, image, model, loss", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_Section_ListsItsKeys()
    {
        var problem = SpecText.ProblemAt(Random("loss: {grid: [1]}"), "search_space.loss");
        Assert.Contains("is a section, not a setting; allowed: one of its keys (loss.preset, loss.gamma_neg", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_ScheduleEpochsUnderAsha_IsSetByTheSweep()
    {
        var problem = SpecText.ProblemAt("name: s\nalgorithm: {kind: asha, max_epochs: 8}\nsearch_space: {schedule.stop_epoch: {grid: [2, 4]}}\n", "search_space.schedule.stop_epoch");
        Assert.Contains("is set by the sweep under asha", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 6]")]
    [InlineData("{uniform: [1, 6], grid: [2]}")]
    [InlineData("2")]
    public void Domain_NotOneDomain_ListsTheForms(string domain)
    {
        var problem = SpecText.ProblemAt(Random($"loss.gamma_neg: {domain}"), "search_space.loss.gamma_neg");
        Assert.Contains("must be one domain; allowed: grid: [v, ...], choice: [v, ...], uniform: [lo, hi], loguniform: [lo, hi], randint: [lo, hi], qrandint: [lo, hi, q]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Domain_Misspelt_SuggestsTheDomain()
    {
        var problem = SpecText.ProblemAt(Random("loss.gamma_neg: {unifrom: [1, 6]}"), "search_space.loss.gamma_neg.unifrom");
        Assert.Contains("unknown domain (did you mean uniform?); allowed: grid, choice, uniform, loguniform, randint, qrandint", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Domain_ArgumentsNotAList_ShowsTheForm()
    {
        var problem = SpecText.ProblemAt(Random("loss.gamma_neg: {uniform: 3}"), "search_space.loss.gamma_neg.uniform");
        Assert.Contains("must be a list; allowed: uniform: [lo, hi], two finite numbers with lo < hi", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grid_ValueOutOfRange_IsReportedAtItsIndex()
    {
        var problem = SpecText.ProblemAt(Random("loss.gamma_neg: {grid: [1, -2]}"), "search_space.loss.gamma_neg.grid[1]");
        Assert.Contains("-2 is out of range; allowed: a finite number >= 0", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choice_UnknownPreset_ListsThePresets()
    {
        var problem = SpecText.ProblemAt(Random("loss.preset: {choice: [asl, bce2]}"), "search_space.loss.preset.choice[1]");
        Assert.Contains("'bce2' is not allowed; allowed: one of: asl, asl-coco, bce, focal", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grid_Empty_IsRefused()
    {
        var problem = SpecText.ProblemAt(Random("loss.gamma_neg: {grid: []}"), "search_space.loss.gamma_neg.grid");
        Assert.Contains("is empty; allowed: a list of one or more values for loss.gamma_neg", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grid_SameValueTwice_IsRefusedAfterCanonicalSpelling()
    {
        var problem = SpecText.ProblemAt(Random("loss.preset: {grid: [bce, BCE]}"), "search_space.loss.preset.grid[1]");
        Assert.Contains("bce is listed twice; allowed: each value once", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grid_RangeUnderAlgorithmGrid_IsRefusedNamingTheKey()
    {
        var problem = SpecText.ProblemAt("name: s\nsearch_space: {loss.clip: {uniform: [0, 0.1]}}\n", "search_space.loss.clip");
        Assert.Contains("uniform is a range, which algorithm grid cannot enumerate; allowed under grid: grid, choice", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uniform_UpperEndOutOfTheKeysRange_IsReportedAtTheEnd()
    {
        var problem = SpecText.ProblemAt(Random("loss.clip: {uniform: [0, 1]}"), "search_space.loss.clip.uniform[1]");
        Assert.Contains("1 is out of range; allowed: a finite number in [0, 1)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uniform_BothEndsOutOfRange_AreBothReported()
    {
        var problems = SpecText.Problems(Random("optimizer.weight_decay: {uniform: [-1, 2]}"));
        Assert.Equal(["search_space.optimizer.weight_decay.uniform[0]", "search_space.optimizer.weight_decay.uniform[1]"], problems.Select(p => p.Key));
    }

    [Theory]
    [InlineData("[2, 1]")]
    [InlineData("[1, 1]")]
    public void Uniform_EmptyRange_IsRefused(string bounds)
    {
        var problem = SpecText.ProblemAt(Random($"loss.gamma_neg: {{uniform: {bounds}}}"), "search_space.loss.gamma_neg.uniform");
        Assert.Contains("is empty; allowed: uniform: [lo, hi], two finite numbers with lo < hi", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[1, 2, 3]")]
    public void Uniform_NotTwoBounds_IsRefused(string bounds)
    {
        var problem = SpecText.ProblemAt(Random($"loss.gamma_neg: {{uniform: {bounds}}}"), "search_space.loss.gamma_neg.uniform");
        Assert.Contains("values; allowed: uniform: [lo, hi]", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x")]
    [InlineData(".nan")]
    [InlineData("Infinity")]
    public void Uniform_BoundNotAFiniteNumber_IsRefused(string bound)
    {
        var problem = SpecText.ProblemAt(Random($"loss.gamma_neg: {{uniform: [0, {bound}]}}"), "search_space.loss.gamma_neg.uniform[1]");
        Assert.Contains($"'{bound}' is not a finite number", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uniform_OnAnIntegerKey_NamesTheKeyAndItsDomains()
    {
        var problem = SpecText.ProblemAt(Random("run.batch_size: {uniform: [16, 64]}"), "search_space.run.batch_size.uniform");
        Assert.Contains("uniform gives fractional values and run.batch_size is an integer key; allowed for run.batch_size: grid, choice, randint, qrandint", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uniform_OnAChoiceKey_AllowsOnlyListedValues()
    {
        var problem = SpecText.ProblemAt(Random("loss.preset: {uniform: [0, 1]}"), "search_space.loss.preset.uniform");
        Assert.Contains("uniform gives numbers and loss.preset is a choice key; allowed for loss.preset: grid, choice", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogUniform_LowerNotAboveZero_IsRefused()
    {
        var problem = SpecText.ProblemAt(Random("optimizer.lr: {loguniform: [0, 0.01]}"), "search_space.optimizer.lr.loguniform[0]");
        Assert.Contains("0 is not above 0; allowed: loguniform: [lo, hi], two finite numbers with 0 < lo < hi", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandInt_LargestValueOutOfRange_SaysTheUpperBoundIsExcluded()
    {
        var problem = SpecText.ProblemAt(Random("image.randaugment_n: {randint: [0, 16]}"), "search_space.image.randaugment_n.randint[1]");
        Assert.Contains("15 is out of range; allowed: an integer in [0, 14] (randint excludes its upper bound, so 15 is the largest value drawn)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandInt_UpperBoundOneAboveTheKeysMaximum_IsAccepted()
    {
        var spec = SweepSpecReader.Parse(Random("image.randaugment_n: {randint: [0, 15]}"));
        Assert.Equal(new RandIntDomain(0, 15), spec.SearchSpace[0].Domain);
    }

    [Theory]
    [InlineData("[3, 3]")]
    [InlineData("[4, 3]")]
    public void RandInt_NoInteger_IsRefused(string bounds)
    {
        var problem = SpecText.ProblemAt(Random($"image.randaugment_n: {{randint: {bounds}}}"), "search_space.image.randaugment_n.randint");
        Assert.Contains("holds no integer; allowed: randint: [lo, hi], two integers with lo < hi (hi excluded)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandInt_FractionalBound_IsRefused()
    {
        var problem = SpecText.ProblemAt(Random("image.randaugment_n: {randint: [0, 2.5]}"), "search_space.image.randaugment_n.randint[1]");
        Assert.Contains("'2.5' is not an integer", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QRandInt_BoundsNotMultiplesOfQ_IsRefused()
    {
        var problem = SpecText.ProblemAt(Random("run.batch_size: {qrandint: [16, 100, 16]}"), "search_space.run.batch_size.qrandint");
        Assert.Contains("[16, 100] are not both multiples of q 16", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QRandInt_QBelowOne_IsRefused()
    {
        var problem = SpecText.ProblemAt(Random("run.batch_size: {qrandint: [16, 64, 0]}"), "search_space.run.batch_size.qrandint[2]");
        Assert.Contains("q 0 is not a positive integer", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QRandInt_UpperEndOutOfRange_IsReportedBecauseItIsIncluded()
    {
        var problem = SpecText.ProblemAt(Random("image.randaugment_n: {qrandint: [0, 16, 2]}"), "search_space.image.randaugment_n.qrandint[1]");
        Assert.Contains("16 is out of range; allowed: an integer in [0, 14]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandInt_OnABooleanKey_IsRefused()
    {
        var problem = SpecText.ProblemAt(Random("image.flip: {randint: [0, 2]}"), "search_space.image.flip.randint");
        Assert.Contains("allowed for image.flip: grid, choice", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choice_OfPresetsAndKinds_IsReadWithCanonicalNames()
    {
        var spec = SweepSpecReader.Parse(Random("loss.preset: {choice: [ASL, Focal, bce]}\n  schedule.kind: {grid: [Constant, onecycle]}"));
        Assert.Equal(new ChoiceDomain(new ValueList<string>(["asl", "focal", "bce"])), spec.SearchSpace[0].Domain);
        Assert.Equal(new GridDomain(new ValueList<string>(["constant", "onecycle"])), spec.SearchSpace[1].Domain);
    }

    [Fact]
    public void Grid_OfNumberLists_IsRead()
    {
        var spec = SweepSpecReader.Parse("name: s\nsearch_space:\n  image.mean: {grid: [[0.5, 0.5, 0.5], [0.4, 0.4, 0.4]]}\n  image.std: {grid: [[0.25, 0.25, 0.25]]}\n");
        Assert.Equal(new GridDomain(new ValueList<string>(["[0.5, 0.5, 0.5]", "[0.4, 0.4, 0.4]"])), spec.SearchSpace[0].Domain);
        Assert.Equal([0.4, 0.4, 0.4], TrialPlanner.Resolve(spec, TrialPlanner.Plan(spec, 1)).Image.Mean);
    }
}
