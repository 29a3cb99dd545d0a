"""Enterprise identity: single sign-on with OpenID Connect and SCIM 2.0 provisioning."""
