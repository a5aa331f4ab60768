using DigitWebApp;

// dotnet run --project samples/DigitWebApp -c Release -- --urls http://127.0.0.1:5080 [--model model.zip] [--train-if-missing [--mnist data/mnist]]
var app = DigitApp.Build(args);
app.Run();
