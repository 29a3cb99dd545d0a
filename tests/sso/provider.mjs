// A real OpenID provider for the single sign-on tests: panva's oidc-provider (a certified OpenID
// Connect implementation) on loopback, started by tests/sso/conftest.py.
//
// Environment:
//   PORT        the loopback port to listen on
//   APP_URL     the app under test (its /sso/callback and /login are the registered redirect URIs)
//   WORLD_FILE  a JSON file the tests rewrite: read again on every request, so each test sets its
//               own people and, to play a misbehaving provider, how to alter the next ID tokens:
//     { "accounts": { "<login>": { "email": "...", "email_verified": true, "name": "..." } },
//       "id_token": null | "wrong-audience" | "audience-with-our-azp" | "expired" | "wrong-issuer"
//                   | "wrong-nonce" | "bad-signature" }
//
// Two confidential clients are registered: "literacy" (the app) and "other-app" (someone else's
// application at the same provider). Login is the provider's development interaction: any login
// name of an account in the world file, any password; consent is granted without asking.
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const appUrl = process.env.APP_URL;
const issuer = `http://127.0.0.1:${port}`;

function world() {
  return JSON.parse(readFileSync(process.env.WORLD_FILE, 'utf8'));
}

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}

const real = await signingKey('provider-key');
const impostor = await signingKey('provider-key'); // the same key id, another key: a forged signature

function client(clientId, secret) {
  return {
    client_id: clientId,
    client_secret: secret,
    redirect_uris: [`${appUrl}/sso/callback`],
    post_logout_redirect_uris: [`${appUrl}/login`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

const provider = new Provider(issuer, {
  clients: [client('literacy', 'literacy-secret'), client('other-app', 'other-secret')],
  jwks: { keys: [real.jwk] },
  cookies: { keys: ['sso-tests-only'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const account = world().accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  // first-party clients: consent is given without a page
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

const now = () => Math.floor(Date.now() / 1000);
const ALTERATIONS = {
  // a token for another application; then the same with azp naming this app, which the
  // azp rule alone would let through: only the audience check refuses it
  'wrong-audience': ({ azp, ...claims }) => ({ ...claims, aud: 'other-app' }),
  'audience-with-our-azp': (claims) => ({ ...claims, aud: 'other-app', azp: claims.aud }),
  expired: (claims) => ({ ...claims, iat: now() - 3600, exp: now() - 1800 }),
  'wrong-issuer': (claims) => ({ ...claims, iss: 'http://127.0.0.1:1/impostor' }),
  'wrong-nonce': (claims) => ({ ...claims, nonce: 'not-the-nonce-the-app-sent' }),
  'bad-signature': (claims) => claims,
};

async function altered(idToken, how) {
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
  const key = how === 'bad-signature' ? impostor.privateKey : real.privateKey;
  return new SignJWT(ALTERATIONS[how](claims)).setProtectedHeader({ alg: 'RS256', kid: 'provider-key' }).sign(key);
}

// A misbehaving provider, when the world file asks for one: the token endpoint's ID token is
// re-signed (with the provider's own key, unless the point is a forged signature) after one change.
provider.use(async (ctx, next) => {
  await next();
  const how = world().id_token;
  if (how && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await altered(ctx.body.id_token, how) };
  }
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
