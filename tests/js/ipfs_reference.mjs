// The reference IPFS implementations, for the content-store tests (test-only).
//
//   node ipfs_reference.mjs cid FILE [CHUNK_SIZE MAX_LINKS]
//     -> {"importer": CID, "onlyHash": CID}   (onlyHash only for the default layout)
//   node ipfs_reference.mjs car CAR_FILE OUT_FILE
//     -> {"roots": [...], "blocks": [{"cid", "size", "verified"}...], "size": N}
//        and the file the root describes, reassembled by ipfs-unixfs-exporter, in OUT_FILE
import { readFile, writeFile } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { CarBlockIterator } from '@ipld/car'
import Hash from 'ipfs-only-hash'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { exporter } from 'ipfs-unixfs-exporter'
import { BlackHoleBlockstore, MemoryBlockstore } from 'blockstore-core'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals } from 'multiformats/bytes'

// `ipfs add --cid-version=1 --raw-leaves`: 256 KiB chunks, at most 174 links a node.
const CHUNK_SIZE = 262144
const MAX_LINKS = 174

async function importerCid (bytes, chunkSize, maxLinks) {
  const options = {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize }),
    layout: balanced({ maxChildrenPerNode: maxLinks })
  }
  let root
  for await (const entry of importer([{ content: bytes }], new BlackHoleBlockstore(), options)) {
    root = entry.cid
  }
  return root.toString()
}

async function cid (path, chunkSize = CHUNK_SIZE, maxLinks = MAX_LINKS) {
  const bytes = await readFile(path)
  const result = { importer: await importerCid(bytes, Number(chunkSize), Number(maxLinks)) }
  if (Number(chunkSize) === CHUNK_SIZE && Number(maxLinks) === MAX_LINKS) {
    result.onlyHash = await Hash.of(bytes, { cidVersion: 1, rawLeaves: true })
  }
  return result
}

async function car (carPath, outPath) {
  const reader = await CarBlockIterator.fromIterable(createReadStream(carPath))
  const roots = (await reader.getRoots()).map((root) => root.toString())
  const blockstore = new MemoryBlockstore()
  const blocks = []
  for await (const { cid, bytes } of reader) {
    const digest = await sha256.digest(bytes)
    blocks.push({
      cid: cid.toString(),
      size: bytes.length,
      verified: cid.multihash.code === sha256.code && equals(digest.digest, cid.multihash.digest)
    })
    await blockstore.put(cid, bytes)
  }
  const entry = await exporter(roots[0], blockstore)
  const parts = []
  for await (const part of entry.content()) parts.push(part)
  const content = Buffer.concat(parts)
  await writeFile(outPath, content)
  return { roots, blocks, size: content.length }
}

const [command, ...args] = process.argv.slice(2)
const commands = { cid, car }
if (!(command in commands)) {
  console.error('usage: ipfs_reference.mjs cid FILE [CHUNK_SIZE MAX_LINKS] | car CAR OUT')
  process.exit(2)
}
console.log(JSON.stringify(await commands[command](...args)))
