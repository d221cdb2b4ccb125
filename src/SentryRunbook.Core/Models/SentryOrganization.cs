using System;

namespace SentryRunbook.Models
{
    /// <summary>An organization, with the region host that serves its data.</summary>
    public sealed class SentryOrganization
    {
        public SentryOrganization(string id, string slug, string name, Uri? regionUrl, Uri? organizationUrl)
        {
            Id = id;
            Slug = slug;
            Name = name;
            RegionUrl = regionUrl;
            OrganizationUrl = organizationUrl;
        }

        public string Id { get; }
        public string Slug { get; }
        public string Name { get; }
        public Uri? RegionUrl { get; }
        public Uri? OrganizationUrl { get; }

        public override string ToString() => Slug;
    }
}
