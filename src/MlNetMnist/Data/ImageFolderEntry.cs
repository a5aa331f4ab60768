namespace MlNetMnist.Data;

/// <summary>One image of an image folder tree: its file and its label (the name of its class folder).</summary>
/// <param name="ImagePath">Full path of the image file.</param>
/// <param name="Label">The class: the name of the folder directly under the root that holds the file.</param>
public sealed record ImageFolderEntry(string ImagePath, string Label);
