-- SPDX-License-Identifier: MIT
-- SWUpdate Lua script: a "lua" entry of sw-description's scripts. SWUpdate
-- calls preinst() before the images are installed and postinst() after;
-- returning false fails the update. Newer SWUpdate also calls postfailure()
-- after a failed update: unlock what is mounted again. All hand over to the
-- generic entry point, which prints why on stderr. See hooks/README.md
-- (FSCRYPT_PROVISION_HEADLESS=1 in SWUpdate's environment on a device
-- nobody types at).
local update = os.getenv("FSCRYPT_PROVISION_UPDATE")
    or "/usr/sbin/fscrypt-provision-update"

local function run(mode)
    local quoted = "'" .. update:gsub("'", "'\\''") .. "'"
    local ok, how, code = os.execute(quoted .. " " .. mode)
    if ok then
        return true, "fscrypt-provision-update " .. mode .. ": ok"
    end
    return false, string.format("fscrypt-provision-update %s failed (%s %s)",
        mode, tostring(how), tostring(code))
end

function preinst()
    return run("pre")
end

function postinst()
    return run("post")
end

function postfailure()
    return run("post")
end
