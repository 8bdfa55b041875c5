var S,Ot,jr,Y,Ye,Me,jt,Ee,Lt,et,Qe,Lr,he=Symbol.for("pv"),Ae={},Te=[],Dr=/^m(i|n|o|s|text|space)$/,tt=Array.isArray,nt=Te.slice,se=Object.assign;function ie(e){e&&e.parentNode&&e.remove()}function Dt(e,t,n){var r,i,o,s={},c=arguments.length;for(o in t)o=="key"?r=t[o]:o=="ref"&&typeof e!="function"?i=t[o]:s[o]=t[o];return c>2&&(s.children=c>3?nt.call(arguments,2):n),me(e,s,r,i,null)}function me(e,t,n,r,i){var o={type:e,props:t,key:n,ref:r,__k:null,__:null,__b:0,__e:null,__c:null,constructor:he,__v:i||++Ot,__i:-1,__u:0};return!i&&S.vnode&&S.vnode(o),o}function Re(e){return e.children}function Ce(e,t){this.props=e,this.context=t,this.__g=0}function Q(e,t){if(t==null)return e.__&&Q(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!="function"||e.props.__P?null:Q(e)}function Fr(e){var t,n=e.__v,r=n.__e,i=[],o=[],s=e.__P;s&&((t=se({constructor:he},n)).__v=n.__v+1,S.vnode&&S.vnode(t),rt(s,t,n,e.__n,s.namespaceURI,32&n.__u?[r]:null,i,r||Q(n),32&n.__u,o),t.__v=n.__v,t.__.__k[t.__i]=t,Wt(i,t,o),n.__=n.__e=null,t.__e!=r&&Ft(t))}function Ft(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),Ft(e)}function Rt(e){(8&e.__g||(e.__g|=8,Y.push(e),Me++))&&Ye==S.debounceRendering||((Ye=S.debounceRendering)||queueMicrotask)(Ut)}function Ut(){try{for(var e,t=1;Y.length;)Y.length>t&&Y.sort(jt),e=Y.shift(),t=Y.length,8&e.__g&&Fr(e)}finally{(Me=Y.length)&&(Ye||queueMicrotask)(Ut)}}function Vt(e,t,n,r,i,o,s,c,l,p,a){var m,d,u,h,$,_,v=r.__k||Te,b=t.length;for(l=Ur(n,t,v,l,b),m=0;m<b;m++)(u=n.__k[m])!=null&&(d=~u.__i&&v[u.__i]||Ae,u.__i=m,_=rt(e,u,d,i,o,s,c,l,p,a),h=u.__e,(d.ref!=u.ref||8&d.__u)&&(d.ref&&ot(d.ref,null,u,d),u.ref&&a.push(u.ref,u.__c||h,u)),$=$||h,4&u.__u?(l=Bt(u,l,e,!d.__v),d.__e&&(d.__e=null)):typeof u.type=="function"&&_!==void 0?l=_:h&&(l=h.nextSibling),u.__u&=-21);return n.__e=$,l}function Ur(e,t,n,r,i){var o,s,c,l,p,a,m,d,u,h=n.length,$=h,_=0,v=0,b=e.__k=Array(i);for(o=0;o<i;o++)(s=t[o])!=null&&typeof s!="boolean"&&typeof s!="function"?(typeof s!="object"||s.constructor===String?s=b[o]=me(null,s):tt(s)?s=b[o]=me(Re,{children:s}):s.constructor===he&&s.__b?s=b[o]=me(s.type,s.props,s.key,s.ref,s.__v):b[o]=s,l=o+_,s.__=e,s.__b=e.__b+1,c=null,~(p=s.__i=Vr(s,n,l,$))&&($--,(c=n[p])&&(c.__u|=2)),c&&c.__v?(s.__u|=16,p==l-1?_--:p==l+1?_++:p!=l&&(p>l?_--:_++,v=1)):(~p||(i>h?_--:i<h&&_++),typeof s.type!="function"&&(s.__u|=4))):b[o]=null;if(v){for(a=[],m=[],o=0;o<i;o++)if((s=b[o])&&16&s.__u){for(_=0,d=a.length;_<d;)a[u=_+d>>1]<s.__i?_=u+1:d=u;a[_]=s.__i,m[o]=_+1}for(_=a.length;o--;)m[o]&&(m[o]==_?_--:b[o].__u|=4)}if($)for(o=0;o<h;o++)!(c=n[o])||2&c.__u||(c.__e==r&&(r=Q(c)),it(c,c));return r}function Bt(e,t,n,r){var i,o,s,c;if(typeof e.type=="function"){if(e.props.__P)return t;if(i=e.__k)for(o=0;o<i.length;o++)i[o]&&(i[o].__=e,t=Bt(i[o],t,n,!1));return t}for(t&&!t.parentNode&&(t=Q(e))&&!t.parentNode&&(t=null),s=e.__e,c=t;c&&c.nodeType==8;)c=c.nextSibling;for(s!=c&&(!r&&n.moveBefore&&s.parentNode?n.moveBefore(s,t):n.insertBefore(s,t||null)),t=s;(t=t&&t.nextSibling)&&t.nodeType==8&&!t.data.startsWith("$s"););return t}function Vr(e,t,n,r){var i,o=e.key,s=e.type,c=t[n],l=c&&!(2&c.__u);if(c===null&&o==null||l&&o==c.key&&s==c.type)return n;if(r>(l?1:0)){for(i=n-1;i>=0;i--)if((c=t[i])&&!(2&c.__u)&&o==c.key&&s==c.type)return i;for(i=n+1;i<t.length;i++)if((c=t[i])&&!(2&c.__u)&&o==c.key&&s==c.type)return i}return-1}function Nt(e,t,n){n==null&&(n=""),t[0]=="-"?e.setProperty(t,n):e[t]=n}function Pe(e,t,n,r,i){var o,s;if(t=="style")if(typeof n=="string")e.style.cssText=n;else{if(typeof r=="string"&&(e.style.cssText=r=""),r)for(t in r)n&&t in n||Nt(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||Nt(e.style,t,n[t])}else if(t[0]=="o"&&t[1]=="n")typeof n!="function"&&(n=null),typeof r!="function"&&(r=null),(e.__e||(e.__e={}))[t]=n,n&&r||(s=Qe[t]||(Qe[t]=Br(t)),(e.__a||(e.__a={}))[t]=et,o=t!=(t=t.replace(Lt,"$1")),(t=t.slice(2))[0]<"a"&&(t=t.toLowerCase()),n?e.addEventListener(t,s,o):e.removeEventListener(t,s,o));else{if(i=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in e)try{return void(e[t]=n??"")}catch{}if(typeof n=="function")return;n==null||n===!1&&t[4]!="-"?e.removeAttribute(t):e.setAttribute(t,t=="popover"&&n==1?"":n)}}function Br(e){return function(t){var n=this.__e;if(n){if(n=n[e],t[Ee]==null)t[Ee]=et++;else if(t[Ee]<this.__a[e])return;return n(S.event?S.event(t):t)}}}function rt(e,t,n,r,i,o,s,c,l,p){var a,m,d,u,h,$,_,v,b,P,k,N,J,re,W,Se,V,H,w=t.type;if(t.constructor!==he)return null;128&n.__u&&(l=32&n.__u,a=n.__c.__z)&&(t.__u|=l,m=o=[],a.nodeType==8?c=Ie(a,o):o.push(a),c=o[0]||c),(a=S.__b)&&a(t);e:if(typeof w=="function"){d=s.length;try{if(v=t.props,b=(a=w.prototype)&&a.render,P=(a=w.contextType)&&r[a.__c],k=a?P?P.props.value:a.__:r,(u=n.__c)?(t.__c=u,2&u.__g&&(u.__g|=1)):(b?t.__c=u=new w(v,k):(t.__c=u=new Ce(v,k),u.constructor=w,u.render=Wr),P&&P.sub(u),u.state||(u.state={}),u.__n=r,u.__g|=8,u.__h=[],u.__k=[]),b&&(u.__s||(u.__s=u.state),w.getDerivedStateFromProps&&(u.__s==u.state&&(u.__s=se({},u.__s)),se(u.__s,w.getDerivedStateFromProps(v,u.__s)))),h=u.props,$=u.state,u.__v=t,n.__c){if(v!==h&&b&&!w.getDerivedStateFromProps&&u.componentWillReceiveProps&&u.componentWillReceiveProps(v,k),t.__v==n.__v&&!(8&u.__g)||!(4&u.__g)&&u.shouldComponentUpdate&&u.shouldComponentUpdate(v,u.__s,k)===!1){t.__v!=n.__v&&(u.props=v,u.state=u.__s,u.__g&=-9),t.__e=n.__e,t.__k=n.__k,t.__k.some(function(y){y&&(y.__=t)}),Te.push.apply(u.__h,u.__k),u.__k=[],u.__h.length&&s.push(u),c=Q(n);break e}u.componentWillUpdate&&u.componentWillUpdate(v,u.__s,k),b&&u.componentDidUpdate&&u.__h.push(function(){u.componentDidUpdate(h,$,_)})}else b&&!w.getDerivedStateFromProps&&u.componentWillMount&&u.componentWillMount(),b&&u.componentDidMount&&u.__h.push(u.componentDidMount);u.context=k,u.props=v,u.__P=e,u.__g&=-5,N=S.__r,J=b?25:0;do u.__g&=-9,N&&N(t),a=u.render(u.props,u.state=u.__s,u.context);while(8&u.__g&&++J<25);b&&(Te.push.apply(u.__h,u.__k),u.__k=[]),u.state=u.__s,u.getChildContext&&(r=se({},r,u.getChildContext())),b&&n.__c&&u.getSnapshotBeforeUpdate&&(_=u.getSnapshotBeforeUpdate(h,$)),re=a&&a.type===Re&&a.key==null?a.props.children:a,v.__P&&(a=c,i=(e=v.__P).namespaceURI,l=o=null,n.props&&n.props.__P!=e&&(n.__k.some(function(y){y&&it(y,y)}),n.__k=null),c=n.__k?Q(n,0):null),c=Vt(e,tt(re)?re:[re],t,n,r,i,o,s,c,l,p),v.__P&&(t.__e=null,c=a),t.__u&=-161,m&&m.some(ie),u.__h.length&&s.push(u),1&u.__g&&(u.__g&=-4)}catch(y){if(s.length=d,t.__v=null,l||o)if(y&&y.then){if(t.__u|=128|l,o){for(~(V=o.indexOf(c||void 0))||(V=o.length);(H=o[V-1])&&H.nodeType==8;)V--;for(;V<o.length;V++)if(H=o[V])if(o[V]=null,W){if(H==Se)break}else{if(H.nodeType!=8)break;H.data.startsWith("$s")&&(Se=Ie(W=H))}}if(!W){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;W=c}(a=Ie(W=t.__c.__z||(t.__c.__z=W)))?(t.__e=W,c=a):t.__e=c,c=c&&c.nextSibling}else o&&o.some(ie);else t.__e=n.__e;t.__k||(t.__k=n.__k||[]),y&&y.then||Kt(t),S.__e(y,t,n)}}else c=t.__e=Kr(n.__e,t,n,r,i,o,s,l,p,e);return(a=S.diffed)&&a(t),c}function Ie(e,t){if(e&&e.nodeType==8&&e.data.startsWith("$s"))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith("$s"))n++;else if(e.data.startsWith("/$s")&&!--n)return e}t&&t.push(e)}}function Kt(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(Kt))}function Wt(e,t,n){for(var r=0;r<n.length;)ot(n[r++],n[r++],n[r++]);S.__c&&S.__c(t,e),e.some(function(i){try{e=i.__h,i.__h=[],e.some(function(o){o.call(i)})}catch(o){S.__e(o,i.__v)}})}function Kr(e,t,n,r,i,o,s,c,l,p){var a,m,d,u,h,$,_,v,b=n.props||Ae,P=t.props,k=t.type;if(k=="svg"?i="http://www.w3.org/2000/svg":k=="math"?i="http://www.w3.org/1998/Math/MathML":i||(i="http://www.w3.org/1999/xhtml"),o){for(a=0;a<o.length;a++)if((h=o[a])&&(k?h.localName==k:h.nodeType==3)){e=h,o[a]=null;break}}if(!e){if(v=p.ownerDocument||document,!k)return v.createTextNode(P);e=v.createElementNS(i,k,P.is?P:p),c&&(S.__m&&S.__m(t,o),c=!1),o=null}if(k){if(p=k=="template"&&e.content||e,o=k=="textarea"&&P.defaultValue!=null?null:o&&nt.call(p.childNodes),!c&&o)for(b={},a=0;a<e.attributes.length;a++)b[(h=e.attributes[a]).name]=h.value;for(a in b)h=b[a],a=="dangerouslySetInnerHTML"?d=h:a=="children"||a in P||a=="value"&&"defaultValue"in P||a=="checked"&&"defaultChecked"in P||Pe(e,a,null,h,i);for(a in P)h=P[a],a=="children"?u=h:a=="dangerouslySetInnerHTML"?m=h:a=="value"?$=h:a=="checked"?_=h:c&&typeof h!="function"||b[a]===h||Pe(e,a,h,b[a],i);m?(c||d&&(m.__html==d.__html||m.__html==e.innerHTML)||(e.innerHTML=m.__html),t.__k=[]):(d&&(e.textContent=""),(k=="foreignObject"||i=="http://www.w3.org/1998/Math/MathML"&&Dr.test(k))&&(i="http://www.w3.org/1999/xhtml"),Vt(p,tt(u)?u:[u],t,n,r,i,o,s,o?o[0]:n.__k&&Q(n,0),c,l),o&&o.some(ie)),c&&k!="textarea"||(a="value",k=="progress"&&$==null?e.removeAttribute(a):$==null||$===e[a]&&(k!="progress"||$)||Pe(e,a,$,b[a],i),a="checked",_!=null&&_!=e[a]&&Pe(e,a,_,b[a],i))}else b===P||c&&e.data==P||(e.data=P);return e}function ot(e,t,n,r){try{typeof e=="function"?t?t.__x=e(t)||1:r&&(r=r.__c||r.__e)&&(t=r.__x)&&(r.__x=null,typeof t=="function"?t():e(null)):e.current=t}catch(i){S.__e(i,n)}}function it(e,t,n){var r,i,o,s;if(S.unmount&&S.unmount(e),!(r=e.ref)||r.current&&r.current!=e.__e||ot(r,null,t,e),r=e.__c){if(r.componentWillUnmount)try{r.componentWillUnmount()}catch(c){S.__e(c,t)}r.__P=r.__n=null}if(r=e.__k)for(s=0;s<r.length;s++)r[s]&&it(r[s],t,typeof e.type!="function"||n&&!e.props.__P);!n&&(r=e.__c)&&(r=r.__z)&&(i=Ie(r,o=[]))&&(r==e.__e&&o.some(ie),ie(i),ie(r)),n||ie(e.__e),e.__e=e.__c=e.__=null}function Wr(e,t,n){return this.constructor(e,n)}function Ht(e,t){var n,r,i,o;S.__&&S.__(e,t),t.nodeType==9&&(t=t.documentElement),r=(n=e&&32&e.__u)?null:t.__k,t.__k=me(Re,{children:[e]}),i=[],o=[],rt(t,t.__k,r||Ae,Ae,t.namespaceURI,r?null:t.firstChild?nt.call(t.childNodes):null,i,r?r.__e:t.firstChild,n,o),Wt(i,t.__k,o),t.__k.props.children=null}S={__e:function(e,t,n,r){for(var i,o,s;t=t.__;)if((i=t.__c)&&!(1&i.__g)){i.__g|=4;try{if((s=(o=i.constructor)&&o.getDerivedStateFromError)&&i.setState(o.getDerivedStateFromError(e)),i.componentDidCatch&&(i.componentDidCatch(e,r||{}),s=1),s&&8&i.__g)return void(i.__g|=2)}catch(c){e=c}}throw Me=0,e}},Ot=0,jr=function(e){return e!=null&&e.constructor===he},Ce.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=se({},this.state)),typeof e=="function"&&(e=e(se({},n),this.props)),e&&(se(n,e),this.__v&&(t&&this.__k.push(t),Rt(this)))},Ce.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),Rt(this))},Ce.prototype.render=Re,Y=[],Me=0,jt=function(e,t){return e.__v.__b-t.__v.__b},Ee=Symbol(),Lt=/(PointerCapture)$|Capture$/i,et=0,Qe={},Lr=0;var ge,M,st,Gt,ct=Object.is,$e=0,rn=[],at=[],I=S,qt=I.__b,Xt=I.__r,Jt=I.diffed,Yt=I.__c,Qt=I.unmount,en=I.__;function lt(e,t){I.__h&&I.__h(M,e,$e||t),$e=0;var n=M.__H||(M.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function x(e){return $e=1,Hr(sn,e)}function Hr(e,t,n){var r=lt(ge++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):sn(void 0,t),function(o){var s=(r.__N||r.__)[0],c=r.t(s,o);ct(s,c)||(r.__N=[c,r.__[1]],r.__c.setState({}))}],r.__c=M,!M.__f)){M.__f=!0;var i=M.shouldComponentUpdate;M.shouldComponentUpdate=function(o,s,c){var l=this.__H;if(!l)return!0;var p=!1,a=this.props!=o;if(l.__.some(function(d){d.__N&&(p=!0,ct(d.__[0],d.__N[0])||(a=!0))}),i){var m=i.call(this,o,s,c);return p?m||a:m}return!p||a}}return r.__}function K(e,t){var n=lt(ge++,3);!I.__s&&on(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,M.__H.__h.push(n))}function ee(e){return $e=5,Ne(function(){return{current:e}},[])}function Ne(e,t){var n=lt(ge++,7);return on(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function j(e,t){return $e=8,Ne(function(){return e},t)}function Gr(){var e;do{for(;e=at.shift();)try{_e(e)}catch(n){I.__e(n,{__:(e=e.__P)&&e.__v})}for(;e=rn.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(_e),t.__h.some(ut),t.__h=[]}catch(n){t.__h=[],I.__e(n,e.__v)}}}while(at.length)}I.__b=function(e){M=null,qt&&qt(e)},I.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),en&&en(e,t)},I.__r=function(e){Xt&&Xt(e),ge=0;var t=(M=e.__c).__H;t&&(st==M?M.__h=[]:(t.__h.some(_e),t.__h.some(ut),ge=0),t.__h=[],t.__.some(function(n){n.__N&&(n.__=n.__N),n.u=n.__N=void 0})),st=M},I.diffed=function(e){Jt&&Jt(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&nn(rn.push(t)),t.__H.__.some(function(n){n.u&&(n.__H=n.u)})),st=M=null},I.__c=function(e,t){t.some(function(n){try{n.__h.some(_e),n.__h=n.__h.filter(function(r){return!r.__||ut(r)})}catch(r){n.__h=[function(){throw r}]}}),Yt&&Yt(e,t)},I.unmount=function(e){Qt&&Qt(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(i){try{if(i.__P&&i.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n=n&&n.__c}i.__P=n,nn(at.push(i))}else _e(i)}catch(o){t=o}}),r.__H=void 0,t&&I.__e(t,r.__v))};var tn=typeof requestAnimationFrame=="function";function qr(e){var t,n=function(){clearTimeout(r),tn&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);tn&&(t=requestAnimationFrame(n))}function nn(e){e!=1&&Gt==I.requestAnimationFrame||((Gt=I.requestAnimationFrame)||qr)(Gr)}function _e(e){var t=M,n=e.__c;typeof n=="function"&&(e.__c=void 0,n()),M=t}function ut(e){var t=M;e.__c=e.__(),M=t}function on(e,t){return!e||e.length!=t.length||t.some(function(n,r){return!ct(n,e[r])})}function sn(e,t){return typeof t=="function"?t(e):t}function ft(e){let t=Object.values(e).filter(r=>typeof r=="number");return Object.entries(e).filter(([r,i])=>t.indexOf(+r)===-1).map(([r,i])=>i)}function cn(e,t){return typeof t=="bigint"?t.toString():t}var dt=class{constructor(t){this._getter=t,this._value=void 0}get value(){let t=this._getter;return t!==void 0&&(this._value=t(),this._getter=void 0),this._value}};function mt(e){return new dt(e)}function an(e){return e==null}function Oe(e){let t=e.startsWith("^")?1:0,n=e.endsWith("$")?e.length-1:e.length;return e.slice(t,n)}function ht(e,t,n){Object.defineProperty(e,t,{value:n,writable:!0,enumerable:!0,configurable:!0})}function un(e){let t=Object.getOwnPropertyDescriptor(e,"shape");return t?.get?t.get.raw:t?.value}var _t="captureStackTrace"in Error?Error.captureStackTrace:(...e)=>{};function be(e){return typeof e=="object"&&e!==null&&!Array.isArray(e)}function ln(e){if(be(e)===!1)return!1;let t=e.constructor;if(t===void 0||typeof t!="function")return!0;let n=t.prototype;return!(be(n)===!1||Object.prototype.hasOwnProperty.call(n,"isPrototypeOf")===!1)}function gt(e){return ln(e)?{...e}:Array.isArray(e)?[...e]:e instanceof Map?new Map(e):e instanceof Set?new Set(e):e}var pn=new Set(["string","number","symbol"]);function ye(e){return e.replace(/[.*+?^${}()|[\]\\]/g,"\\$&")}function je(e,t,n){let r=new e._zod.constr(t??e._zod.def);return(!t||n?.parent)&&(r._zod.parent=e),r}function L(e){let t=e;if(!t)return{};if(typeof t=="string")return{error:()=>t};if(t?.message!==void 0){if(t?.error!==void 0)throw new Error("Cannot specify both `message` and `error` params");t.error=t.message}return delete t.message,typeof t.error=="string"?{...t,error:()=>t.error}:t}function dn(e){return Object.keys(e).filter(t=>e[t]._zod.optin!==void 0&&e[t]._zod.optout==="optional")}function G(e,t=0){if(e.aborted===!0)return!0;for(let n=t;n<e.issues.length;n++)if(e.issues[n]?.continue!==!0)return!0;return!1}function fn(e,t=0){if(e.aborted===!0)return!0;for(let n=t;n<e.issues.length;n++)if(e.issues[n]?.continue===!1)return!0;return!1}function Le(e,t){return t.map(n=>{var r;return(r=n).path??(r.path=[]),n.path.unshift(e),n})}function ve(e){return typeof e=="string"?e:e?.message}function $t(e){let t=[];for(let n of e??[]){let r=n._zod.def;if(!/_(length|size)$|_equals$/.test(r.check))break;let i=r.maximum??r.length??r.size;i>=0&&t.push([i,n])}return t}function De(e,t,n){var r;for(let i=t;i<e.length;i++)(r=e[i]).schema??(r.schema=n)}function ae(e,t,n){var r;let i=e.inst?._zod?.traits;i?.has("$ZodType")&&(i.has("$ZodCheck")?(r=e).schema??(r.schema=e.inst):e.schema=e.inst);let o=e.schema!==e.inst?e.schema?._zod.def?.error:void 0,s=e.message?e.message:ve(e.inst?._zod.def?.error?.(e))??ve(o?.(e))??ve(t?.error?.(e))??ve(n.customError?.(e))??ve(n.localeError?.(e))??"Invalid input",c={};for(let l of Object.keys(e))l==="inst"||l==="schema"||l==="continue"||l==="input"||l==="__proto__"||(c[l]=e[l]);return c.path??(c.path=[]),c.message=s,t?.reportInput&&(c.input=e.input),c}var Xr=/[\uD800-\uDBFF]/;function mn(e){let t=e.length;if(!Xr.test(e))return t;let n=t;for(let r=0;r<t-1;r++)(e.charCodeAt(r)&64512)===55296&&(e.charCodeAt(r+1)&64512)===56320&&(n--,r++);return n}function hn(e){return Array.isArray(e)?"array":typeof e=="string"?"string":"unknown"}function _n(e,t){for(let n in t){let r=Object.getOwnPropertyDescriptor(t,n);r.get?Object.defineProperty(e,n,{...r,enumerable:!1}):Jr(e,n,r.value)}}function ce(e,t,n,r=!0){return Object.defineProperty(e,t,{configurable:!0,writable:!0,enumerable:r,value:n}),n}function vt(e,t,n){return ce(e,t,n,!1)}function Jr(e,t,n){Object.defineProperty(e,t,{configurable:!0,get(){return this==null?n:ce(this,t,n.bind(this))},set(r){ce(this,t,r)}})}function Yr(e,t){let n=Object.getPrototypeOf(e);return t in n?void 0:n}var pt,te=!1,Qr={configurable:!0,get(){te=!0}};function R(e,t,n){let r=Object.getPrototypeOf(e._zod);if(t in r&&pt!==e._zod){pt=void 0;return}pt=e._zod,Object.defineProperty(r,t,{configurable:!0,get(){Object.defineProperty(this,t,Qr);let i=te;te=!1;try{let o=n(this);return te?delete this[t]:Object.defineProperty(this,t,{configurable:!0,writable:!0,value:o}),te=te||i,o}catch(o){throw delete this[t],te=te||i,o}},set(i){Object.defineProperty(this,t,{configurable:!0,writable:!0,value:i})}})}function gn(e,t,n,r){let i=Yr(e,t);i&&Object.defineProperty(i,t,{configurable:!0,get(){let o={configurable:!0,writable:!0,enumerable:r,value:void 0};return Object.defineProperty(this,t,o),o.value=n(this),Object.defineProperty(this,t,o),o.value},set(o){Object.defineProperty(this,t,{configurable:!0,writable:!0,enumerable:r,value:o})}})}var $n;var bt={value:void 0,enumerable:!1},vn="captureStackTrace"in Error?Error:null;function eo(e){let t=vn;if(t){let n=t.stackTraceLimit;if(typeof n=="number"){try{t.stackTraceLimit=0}catch{return vn=null,new e}try{return new e}finally{t.stackTraceLimit=n}}}return new e}function z(e,t,n,r){let i={};function o(d){this.def=d,this.constr=m,this.traits=new Set}o.prototype=i;let s=n,c=s&&new WeakSet;function l(d,u){if(d._zod){if(d._zod.traits.has(e))return}else{bt.value=new o(u);try{Object.defineProperty(d,"_zod",bt)}finally{bt.value=void 0}}if(d._zod.traits.add(e),t(d,u),c){let $=Object.getPrototypeOf(d),_=d._zod.constr.prototype,v=$;for(;v&&v!==_;)v=Object.getPrototypeOf(v);let b=v??$;c.has(b)||(c.add(b),_n(b,s))}let h=m.prototype;for(let $ in h)Object.prototype.hasOwnProperty.call(h,$)&&($ in d||(d[$]=h[$].bind(d)))}let p=r?.Parent??Object;class a extends p{}Object.defineProperty(a,"name",{value:e});function m(d){let u=r?.Parent?eo(a):this;l(u,d);let h=u._zod.deferred;if(h){for(let _ of h)_();u._zod.deferred=void 0}let $=globalThis.__zod_globalConfig?.postProcessor;return $&&$(u),u}return Object.defineProperty(m,"init",{value:l}),Object.defineProperty(m,Symbol.hasInstance,{value:d=>r?.Parent&&d instanceof r.Parent?!0:d?._zod?.traits?.has(e)}),Object.defineProperty(m,"name",{value:e}),m}var q=class extends Error{constructor(){super("Encountered Promise during synchronous parse. Use .parseAsync() instead.")}};($n=globalThis).__zod_globalConfig??($n.__zod_globalConfig={});var xe=globalThis.__zod_globalConfig;function le(e){return e&&Object.assign(xe,e),xe}function to(){let e=this._zod;return e.message??(e.message=JSON.stringify(e.def,cn,2)),e.message}function no(e){this._zod.message=e}var ro={get:to,set:no,enumerable:!0,configurable:!0},xt={value:void 0,enumerable:!1},bn=new WeakSet([Object.prototype,Error.prototype]),yn=(e,t)=>{e.name="$ZodError",xt.value=t,Object.defineProperty(e,"issues",xt),xt.value=void 0,Object.defineProperty(e,"message",ro);let n=Object.getPrototypeOf(e);bn.has(n)||(bn.add(n),Object.defineProperty(n,"toString",{configurable:!0,enumerable:!1,get(){let r=()=>this.message;return Object.defineProperty(this,"toString",{value:r,configurable:!0,writable:!0}),r},set(r){Object.defineProperty(this,"toString",{value:r,configurable:!0,writable:!0})}}))},hi=z("$ZodError",yn),we=z("$ZodError",yn,void 0,{Parent:Error});var io=e=>{let t=(n,r,i,o)=>{let s=i?{...i,async:!1}:{async:!1},c=n._zod.run({value:r,issues:[]},s);if(c instanceof Promise)throw new q;if(c.issues.length){let l=new(o?.Err??e)(c.issues.map(p=>ae(p,s,le())));throw _t(l,o?.callee??t),l}return c.value};return t},wt=io(we),so=e=>{let t=async(n,r,i,o)=>{let s=i?{...i,async:!0}:{async:!0},c=n._zod.run({value:r,issues:[]},s);if(c instanceof Promise&&(c=await c),c.issues.length){let l=new(o?.Err??e)(c.issues.map(p=>ae(p,s,le())));throw _t(l,o?.callee??t),l}return c.value};return t},zt=so(we),co=e=>(t,n,r)=>{let i=r?{...r,async:!1}:{async:!1},o=t._zod.run({value:n,issues:[]},i);if(o instanceof Promise)throw new q;return o.issues.length?xn(e,o.issues,i):{success:!0,data:o.value}},kt=co(we);function xn(e,t,n){let r;return{success:!1,get error(){return r||(r=new e(t.map(i=>ae(i,n,le()))),t=void 0,n=void 0),r},set error(i){r=i,t=void 0,n=void 0}}}var ao=e=>async(t,n,r)=>{let i=r?{...r,async:!0}:{async:!0},o=t._zod.run({value:n,issues:[]},i);return o instanceof Promise&&(o=await o),o.issues.length?xn(e,o.issues,i):{success:!0,data:o.value}},Zt=ao(we);var wn=/^[\s\S]{0,}$/;var zn=/^-?\d+(?:\.\d+)?$/,kn=/^(?:true|false)$/i;var St=z("$ZodCheck",(e,t)=>{var n;e._zod??(e._zod={}),e._zod.def=t,(n=e._zod).onattach??(n.onattach=[])});var uo=e=>{let t=e.value;return!an(t)&&t.length!==void 0};var Sn=z("$ZodCheckMinLength",(e,t)=>{var n;St.init(e,t),(n=e._zod.def).when??(n.when=uo),e._zod.check=r=>{let i=r.value,o=i.length;if((typeof i=="string"&&o>=t.minimum&&o<t.minimum*2?mn(i):o)>=t.minimum)return;let c=hn(i);r.issues.push({origin:c,code:"too_small",minimum:t.minimum,inclusive:!0,input:i,inst:e,continue:!t.abort})}});var Pn={major:4,minor:6,patch:7};var O=z("$ZodType",(e,t)=>{var n;e??(e={}),e._zod.def=t,e._zod.bag=e._zod.bag||{},e._zod.version=Pn;let r=e._zod.def.checks,i=e._zod.traits.has("$ZodCheck")?[e,...r??[]]:r?.length?[...r]:[];for(let o of i)for(let s of o._zod.onattach)s(e);if(i.length===0)(n=e._zod).deferred??(n.deferred=[]),e._zod.deferred?.push(()=>{e._zod.run=e._zod.parse});else{let o=(c,l,p)=>{if(c.memo)return c;let a=G(c),m;for(let d of l){if(d._zod.def.when){if(fn(c)||!d._zod.def.when(c))continue}else if(a)continue;let u=c.issues.length,h=d._zod.check(c);if(h instanceof Promise&&p?.async===!1)throw new q;if(m||h instanceof Promise)m=(m??Promise.resolve()).then(async()=>{await h,c.issues.length!==u&&(De(c.issues,u,e),a||(a=G(c,u)))});else{if(c.issues.length===u)continue;De(c.issues,u,e),a||(a=G(c,u))}}return m?m.then(()=>c):c},s=(c,l,p)=>{if(G(c))return c.aborted=!0,c;let a=o(l,i,p);if(a instanceof Promise){if(p.async===!1)throw new q;return a.then(m=>e._zod.parse(m,p))}return e._zod.parse(a,p)};e._zod.run=(c,l)=>{if(l.skipChecks)return e._zod.parse(c,l);if(l.direction==="backward"){let a=e._zod.parse({value:c.value,issues:[]},{...l,skipChecks:!0});return a instanceof Promise?a.then(m=>s(m,c,l)):s(a,c,l)}let p=e._zod.parse(c,l);if(p instanceof Promise){if(l.async===!1)throw new q;return p.then(a=>o(a,i,l))}return o(p,i,l)}}},{get"~standard"(){return vt(this,"~standard",mo(this))},set"~standard"(e){ce(this,"~standard",e)}}),An=(e,t)=>e.issues.length?{issues:e.issues.map(n=>ae(n,t,le()))}:{value:e.value};async function fo(e,t){let n={async:!0};return An(await e._zod.run({value:t,issues:[]},n),n)}function mo(e){return{validate:t=>{let n={async:!1};try{let r=e._zod.run({value:t,issues:[]},n);if(!(r instanceof Promise))return An(r,n)}catch{}return fo(e,t)},vendor:"zod",version:1}}var Tn=z("$ZodString",(e,t)=>{O.init(e,t),e._zod.pattern=t.pattern??wn,e._zod.parse=(n,r)=>{if(t.coerce)try{n.value=String(n.value)}catch{}return typeof n.value=="string"||n.issues.push({expected:"string",code:"invalid_type",input:n.value,inst:e}),n}});var Rn=z("$ZodNumber",(e,t)=>{O.init(e,t),e._zod.pattern=zn,e._zod.parse=(n,r)=>{if(t.coerce)try{n.value=Number(n.value)}catch{}let i=n.value;if(typeof i=="number"&&!Number.isNaN(i)&&Number.isFinite(i))return n;let o=typeof i=="number"?Number.isNaN(i)?"NaN":Number.isFinite(i)?void 0:String(i):void 0;return n.issues.push({expected:"number",code:"invalid_type",input:i,inst:e,...o?{received:o}:{}}),n}});var Nn=z("$ZodBoolean",(e,t)=>{O.init(e,t),e._zod.pattern=kn,e._zod.parse=(n,r)=>{if(t.coerce)try{n.value=!!n.value}catch{}let i=n.value;return typeof i=="boolean"||n.issues.push({expected:"boolean",code:"invalid_type",input:i,inst:e}),n}});function ho(e,t){let n=$t(e._zod.def.checks);if(!n.length)return;let r=Math.min(...n.map(o=>o[0])),i=e._zod.parse;e._zod.parse=(o,s)=>{let c=t(o.value);if(c>r&&!s?.skipChecks&&s?.direction!=="backward"){for(let[l,p]of $t(e._zod.def.checks))if(c>l&&p._zod.def.when(o)){let a=o.issues.length;return p._zod.check(o),o.issues[a].continue=!1,De(o.issues,a,e),o}}return i(o,s)}}var _o=e=>Array.isArray(e)?e.length:-1;function En(e,t,n){e.issues.length&&t.issues.push(...Le(n,e.issues)),t.value[n]=e.value}var On=z("$ZodArray",(e,t)=>{O.init(e,t);let n=xe.memoizer;n?.attach(e),e._zod.parse=(r,i)=>{let o=r.value;if(!Array.isArray(o))return r.issues.push({expected:"array",code:"invalid_type",input:o,inst:e}),r;r.value=n?n.alloc(e,r,Array(o.length),i):Array(o.length);let s=[],c=i?.abortEarly;for(let l=0;l<o.length;l++){let p=o[l],a=t.element._zod.run({value:p,issues:[]},i);if(a instanceof Promise)s.push(a.then(m=>En(m,r,l)));else if(En(a,r,l),c&&a.issues.length!==0&&G(a))break}return s.length?Promise.all(s).then(()=>r):r},ho(e,_o)});function Fe(e,t,n,r,i,o){let s=n in r,c=o==="optional";if(!(!s&&c&&i==="optional")){if(e.issues.length){if(i!==void 0&&c&&!s)return;t.issues.push(...Le(n,e.issues))}if(!s&&i===void 0){e.issues.length||t.issues.push({code:"invalid_type",expected:"nonoptional",input:void 0,path:[n]});return}e.value===void 0?(s||i==="defaulted"&&!c)&&(t.value[n]=void 0):t.value[n]=e.value}}var go=[];function $o(e){let t=Object.keys(e.shape),n=Object.getOwnPropertySymbols(e.shape),r=n.length?n:go,i=r.length?[...t,...r]:t;for(let s of i)if(!e.shape?.[s]?._zod?.traits?.has("$ZodType"))throw new Error(`Invalid element at key "${String(s)}": expected a Zod schema`);let o=dn(e.shape);return{...e,allKeys:i,symbolKeys:r,keySet:new Set(t),numKeys:t.length,optionalKeys:new Set(o)}}function vo(e,t,n,r,i,o,s){let c=[],l=i.keySet,p=i.catchall._zod,a=p.def.type,m=p.optin,d=p.optout,u=0;for(let h in t){if(s&&n.issues.length!==u){if(G(n,u))break;u=n.issues.length}if(l.has(h))continue;if(h==="__proto__"){a==="never"&&c.push(h);continue}if(a==="never"){c.push(h);continue}let $=p.run({value:t[h],issues:[]},r);$ instanceof Promise?e.push($.then(_=>Fe(_,n,h,t,m,d))):Fe($,n,h,t,m,d)}return c.length&&n.issues.push({code:"unrecognized_keys",keys:c,input:t,inst:o,continue:!0}),e.length?Promise.all(e).then(()=>n):n}var jn=z("$ZodObject",(e,t)=>{O.init(e,t);let n=Object.getOwnPropertyDescriptor(t,"shape"),r=n?.get?n.get.raw:t.shape??{};if(r){let p=()=>{let a={...r};return Object.defineProperty(t,"shape",{value:a}),p.raw=a,a};p.raw=r,Object.defineProperty(t,"shape",{get:p})}let i=mt(()=>$o(t));R(e,"propValues",p=>{let a=p.def.shape,m={};for(let d in a){let u=a[d]._zod;if(u.values){Object.prototype.hasOwnProperty.call(m,d)||ht(m,d,new Set);for(let h of u.values)m[d].add(h);u.optin!==void 0&&m[d].add(void 0)}}return m});let o=be,s=t.catchall,c,l=xe.memoizer;l?.attach(e),e._zod.parse=(p,a)=>{c??(c=i.value);let m=p.value;if(!o(m))return p.issues.push({expected:"object",code:"invalid_type",input:m,inst:e}),p;p.value=l?l.alloc(e,p,{},a):{};let d=[],u=c.shape,h=a?.abortEarly,$=p.issues.length;for(let _ of c.allKeys){if(h&&p.issues.length!==$){if(G(p,$))break;$=p.issues.length}if(_==="__proto__")continue;let v=u[_],b=v._zod.optin,P=v._zod.optout,k=v._zod.run({value:m[_],issues:[]},a);k instanceof Promise?d.push(k.then(N=>Fe(N,p,_,m,b,P))):Fe(k,p,_,m,b,P)}return s?vo(d,m,p,a,i.value,e,h===!0):d.length?Promise.all(d).then(()=>p):p}});function Cn(e,t,n,r){for(let o of e)if(o.issues.length===0)return t.value=o.value,t;let i=e.filter(o=>!G(o));return i.length===1?(t.value=i[0].value,i[0]):(t.issues.push({code:"invalid_union",input:t.value,inst:n,errors:e.map(o=>o.issues.map(s=>ae(s,r,le())))}),t)}var Ln=z("$ZodUnion",(e,t)=>{O.init(e,t),R(e,"optin",r=>r.def.options.some(i=>i._zod.optin==="defaulted")?"defaulted":r.def.options.some(i=>i._zod.optin!==void 0)?"optional":void 0),R(e,"optout",r=>r.def.options.some(i=>i._zod.optout==="optional")?"optional":void 0),R(e,"values",r=>{if(r.def.options.every(i=>i._zod.values))return new Set(r.def.options.flatMap(i=>Array.from(i._zod.values)))}),R(e,"pattern",r=>{if(r.def.options.every(i=>i._zod.pattern)){let i=r.def.options.map(o=>o._zod.pattern);return new RegExp(`^(${i.map(o=>Oe(o.source)).join("|")})$`)}});let n=t.options.length===1?t.options[0]._zod.run:null;e._zod.parse=(r,i)=>{if(n)return n(r,i);let o=!1,s=[];for(let c of t.options){let l=c._zod.run({value:r.value,issues:[]},i);if(l instanceof Promise)s.push(l),o=!0;else{if(l.issues.length===0)return l;s.push(l)}}return o?Promise.all(s).then(c=>Cn(c,r,e,i)):Cn(s,r,e,i)}});function bo(e){let t=new Map;for(let n of e.options){let r=n._zod.propValues?.[e.discriminator];if(!r||r.size===0)throw new Error(`Invalid discriminated union option at index "${e.options.indexOf(n)}"`);for(let i of r)if(t.has(i)){if(i!==void 0)throw new Error(`Duplicate discriminator value "${String(i)}"`);t.set(i,null)}else t.set(i,n)}return t}var Dn=z("$ZodDiscriminatedUnion",(e,t)=>{t.inclusive=!1,Ln.init(e,t);let n=e._zod.parse;R(e,"propValues",i=>{let o={},s=0;for(let c of i.def.options){let l=c._zod.propValues;if(!l||Object.keys(l).length===0)throw new Error(`Invalid discriminated union option at index "${i.def.options.indexOf(c)}"`);l[i.def.discriminator]?.has(void 0)&&s++;for(let[p,a]of Object.entries(l)){Object.prototype.hasOwnProperty.call(o,p)||ht(o,p,new Set);for(let m of a)o[p].add(m)}}return!i.def.unionFallback&&s>1&&o[i.def.discriminator]?.delete(void 0),o}),t.options.forEach((i,o)=>{let s=un(i._zod.def);if(s&&!Object.prototype.hasOwnProperty.call(s,t.discriminator))throw new Error(`Invalid discriminated union option at index "${o}"`)});let r=mt(()=>bo(t));e._zod.parse=(i,o)=>{let s=i.value;if(!be(s))return i.issues.push({code:"invalid_type",expected:"object",input:s,inst:e}),i;let c=s?.[t.discriminator],l=r.value.get(c);return l&&(c!==void 0||o.direction!=="backward")?l._zod.run(i,o):t.unionFallback||o.direction==="backward"?n(i,o):(i.issues.push({code:"invalid_union",errors:[],note:"No matching discriminator",discriminator:t.discriminator,options:Array.from(r.value.keys()).filter(p=>r.value.get(p)!==null),input:s,path:[t.discriminator],inst:e}),i)}});var Fn=z("$ZodEnum",(e,t)=>{O.init(e,t);let n=ft(t.entries),r=new Set(n);e._zod.values=r,R(e,"pattern",i=>{let o=ft(i.def.entries).filter(s=>pn.has(typeof s));return new RegExp(o.length?`^(${o.map(s=>ye(s.toString())).join("|")})$`:"^[^\\s\\S]$")}),e._zod.parse=(i,o)=>{let s=i.value;return r.has(s)||i.issues.push({code:"invalid_value",values:n,input:s,inst:e}),i}}),Un=z("$ZodLiteral",(e,t)=>{O.init(e,t);let n=new Set(t.values);e._zod.values=n,R(e,"pattern",r=>{let i=r.def.values;return new RegExp(i.length?`^(${i.map(o=>typeof o=="string"?ye(o):o?ye(o.toString()):String(o)).join("|")})$`:"^[^\\s\\S]$")}),e._zod.parse=(r,i)=>{let o=r.value;return n.has(o)||r.issues.push({code:"invalid_value",values:t.values,input:o,inst:e}),r}});function In(e,t){return e.value=t.issues.length?void 0:t.value,e}var Vn=z("$ZodOptional",(e,t)=>{O.init(e,t),R(e,"optin",n=>n.def.innerType._zod.optin==="defaulted"?"defaulted":"optional"),e._zod.optout="optional",R(e,"values",n=>{let r=n.def.innerType._zod.values;return r?new Set([...r,void 0]):void 0}),R(e,"pattern",n=>{let r=n.def.innerType._zod.pattern;return r?new RegExp(`^(${Oe(r.source)})?$`):void 0}),e._zod.parse=(n,r)=>{if(n.value===void 0){if(t.innerType._zod.optin!=="defaulted")return n;let i=t.innerType._zod.run({value:n.value,issues:[]},r);return i instanceof Promise?i.then(o=>In(n,o)):In(n,i)}return t.innerType._zod.run(n,r)}});var Bn=z("$ZodNullable",(e,t)=>{O.init(e,t),R(e,"optin",n=>n.def.innerType._zod.optin),R(e,"optout",n=>n.def.innerType._zod.optout),R(e,"pattern",n=>{let r=n.def.innerType._zod.pattern;return r?new RegExp(`^(${Oe(r.source)}|null)$`):void 0}),R(e,"values",n=>n.def.innerType._zod.values?new Set([...n.def.innerType._zod.values,null]):void 0),e._zod.parse=(n,r)=>n.value===null?n:t.innerType._zod.run(n,r)}),Kn=z("$ZodDefault",(e,t)=>{O.init(e,t),e._zod.optin="defaulted",R(e,"values",n=>n.def.innerType._zod.values),e._zod.parse=(n,r)=>{if(r.direction==="backward")return t.innerType._zod.run(n,r);if(n.value===void 0)return n.value=t.defaultValue,n;let i=t.innerType._zod.run(n,r);return i instanceof Promise?i.then(o=>Mn(o,t)):Mn(i,t)}});function Mn(e,t){return e.value===void 0&&(e.value=t.defaultValue),e}function Wn(e){return e.checks&&(e.checks=[...e.checks]),e}function Hn(e,t){return new e(Wn({type:"string",...L(t)}))}function Gn(e,t){return new e(Wn({type:"number",checks:[],...L(t)}))}function qn(e,t){return new e({type:"boolean",...L(t)})}function Pt(e,t){return new Sn({check:"min_length",...L(t),minimum:e})}var D=z("ZodMiniType",(e,t)=>{if(!e._zod)throw new Error("Uninitialized schema in ZodMiniType.");O.init(e,t),e.def=t,e.type=t.type},{get with(){return this.check},set with(e){ce(this,"with",e)},parse(e,t){return wt(this,e,t,{callee:this.parse})},parseAsync(e,t){return zt(this,e,t,{callee:this.parseAsync})},safeParse(e,t){return kt(this,e,t)},safeParseAsync(e,t){return Zt(this,e,t)},check(...e){let t=this.def;return this.clone({...t,checks:[...t.checks??[],...e.map(n=>typeof n=="function"?{_zod:{check:n,def:{check:"custom"},onattach:[]}}:n)]},{parent:!0})},clone(e,t){return je(this,e,t)},brand(){return this},register(e,t){return e.add(this,t),this},apply(e,...t){return t.length===0?e(this):e(this,...t)}}),xo=z("ZodMiniString",(e,t)=>{Tn.init(e,t),D.init(e,t)});function Xn(e){return Hn(xo,e)}var wo=z("ZodMiniNumber",(e,t)=>{Rn.init(e,t),D.init(e,t)});function pe(e){return Gn(wo,e)}var zo=z("ZodMiniBoolean",(e,t)=>{Nn.init(e,t),D.init(e,t)});function fe(e){return qn(zo,e)}var ko=z("ZodMiniArray",(e,t)=>{On.init(e,t),D.init(e,t)});function X(e,t){return new ko({type:"array",element:e,...L(t)})}var Zo=z("ZodMiniObject",(e,t)=>{jn.init(e,t),D.init(e,t),gn(e,"shape",n=>n._zod.def.shape,!1)});function Z(e,t){let n={type:"object",shape:e??{},...L(t)};return new Zo(n)}var So=z("ZodMiniDiscriminatedUnion",(e,t)=>{Dn.init(e,t),D.init(e,t)});function Ue(e,t,n){return new So({type:"union",options:t,discriminator:e,...L(n)})}var Po=z("ZodMiniEnum",(e,t)=>{Fn.init(e,t),D.init(e,t),e.options=[...e._zod.values]});function Ve(e,t){let n=Array.isArray(e)?Object.fromEntries(e.map(r=>[r,r])):e;return new Po({type:"enum",entries:n,...L(t)})}var Eo=z("ZodMiniLiteral",(e,t)=>{Un.init(e,t),D.init(e,t)});function F(e,t){return new Eo({type:"literal",values:Array.isArray(e)?e:[e],...L(t)})}var Co=z("ZodMiniOptional",(e,t)=>{Vn.init(e,t),D.init(e,t)});function Et(e){return new Co({type:"optional",innerType:e})}var Io=z("ZodMiniNullable",(e,t)=>{Bn.init(e,t),D.init(e,t)});function Be(e){return new Io({type:"nullable",innerType:e})}function Ke(e){return Et(Be(e))}var Mo=z("ZodMiniDefault",(e,t)=>{Kn.init(e,t),D.init(e,t)});function Ct(e,t){return new Mo({type:"default",innerType:e,get defaultValue(){return typeof t=="function"?t():gt(t)}})}var Jn=["pstn","cellular","voicemail","legacy-voicemail","email","im","icw"],Yn=["email","im","voicemail","pstn","cellular","legacy-voicemail"],E=Et,g=Xn,Qn=Z({token:g().check(Pt(1))}),er=Z({error:g(),message:g(),field:E(g())}),It=Z({id:g(),from:Z({ani:Be(g())}),dnis:Be(g()),receivedAt:g(),durationMs:pe(),state:Ve(["new","saved"]),urgent:fe(),transcript:E(g())}),tr=X(It),Ro=Ue("kind",[Z({id:g(),kind:F("internal")}),Z({id:g(),kind:F("sip"),uri:g(),depositUri:E(g())}),Z({id:g(),kind:F("smdi"),link:g(),station:g(),depositUri:E(g())})]),No=Ue("kind",[Z({id:g(),kind:F("web")}),Z({id:g(),kind:F("xmpp"),jid:g()})]),Oo=Z({from:g(),to:X(g()),transcribe:E(fe()),audioFormat:E(Ve(["wav","mp3"])),voice:E(g()),language:E(g())}),Mt=Z({id:g(),displayName:g(),phones:X(g()),emails:X(g()),voicemailSystems:X(Ro),imClients:X(No),routes:X(Oo),mwi:Z({enabled:fe(),supplemental:Z({timestamp:fe(),text:E(g())})})}),nr={new:pe(),old:pe(),urgentNew:Ct(pe(),0),urgentOld:Ct(pe(),0)},rr={ani:E(g()),dnis:E(g()),at:g()},jo=Z({id:g(),kind:E(g()),enabled:fe(),...nr,lastCaller:Ke(Z(rr))}),We=Z({version:E(pe()),total:Z(nr),systems:X(jo),lastCaller:Ke(Z({...rr,systemId:E(g())})),supplemental:Ke(Z({timestamp:E(g()),text:E(g())}))}),or=Z({id:g(),type:F("message"),communicationId:g(),from:g(),subject:E(g()),text:g(),audioUrl:E(g()),receivedAt:g()}),ir=Z({id:g(),type:F("call-alert"),callId:g(),from:Z({ani:g(),name:E(g())}),dnis:g(),decideBy:E(g())}),Lo=["ringing","recording","forwarded","taken-over","ended"],sr=Z({id:g(),type:F("call-update"),callId:g(),state:Ve(Lo),screenUrl:E(g())}),cr=Ue("type",[Z({type:F("sent"),requestId:E(g()),communicationId:g()}),Z({type:F("error"),requestId:E(g()),callId:E(g()),message:g(),field:E(g())})]),ar=Z({id:g(),type:g()});var ur="/api/v1",A=class extends Error{constructor(n,r,i,o){super(i);this.status=n;this.code=r;this.field=o;this.name="ApiError"}status;code;field;get reason(){let n=this.field?`${this.field}: `:"";return n&&this.message.startsWith(n)?this.message.slice(n.length):this.message}};async function lr(e){let t=await e.text().catch(()=>""),n;try{n=JSON.parse(t)}catch{n=void 0}let r=er.safeParse(n);return r.success?new A(e.status,r.data.error,r.data.message,r.data.field):new A(e.status,"HTTP",`the server answered ${e.status} ${e.statusText}`)}async function pr(e,t){try{return await fetch(e,t)}catch{throw new A(0,"NETWORK","the server cannot be reached; check the connection and retry")}}async function dr(e,t){let n=await pr(`${ur}/session`,{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({user:e,password:t})});if(!n.ok)throw await lr(n);return Qn.parse(await n.json()).token}var He=class{constructor(t,n,r){this.token=t;this.userId=n;this.onUnauthorized=r}token;userId;onUnauthorized;async#e(t,n,r){let i={authorization:`Bearer ${this.token}`};r!==void 0&&(i["content-type"]="application/json");let o=await pr(`${ur}${n}`,{method:t,headers:i,body:r===void 0?void 0:JSON.stringify(r)});if(o.status===401&&this.onUnauthorized(),!o.ok)throw await lr(o);return o}async#n(t,n,r,i){let o=await this.#e(n,r,i),s=t.safeParse(await o.json());if(!s.success)throw new A(o.status,"SHAPE",`unexpected answer from ${n} ${r}`);return s.data}get#t(){return`/users/${encodeURIComponent(this.userId)}`}async check(){await this.#e("GET",this.#t)}profile(){return this.#n(Mt,"GET",this.#t)}patchProfile(t){return this.#n(Mt,"PATCH",this.#t,t)}voicemail(){return this.#n(tr,"GET",`${this.#t}/voicemail`)}markRead(t){let n=`${this.#t}/voicemail/${encodeURIComponent(t)}`;return this.#n(It,"PATCH",n,{state:"saved"})}async deleteVoicemail(t){await this.#e("DELETE",`${this.#t}/voicemail/${encodeURIComponent(t)}`)}async audio(t){return(await this.#e("GET",`${this.#t}/voicemail/${encodeURIComponent(t)}/audio`)).blob()}mwi(){return this.#n(We,"GET",`${this.#t}/mwi`)}async setMwiEnabled(t,n){await this.#e("PUT",`${this.#t}/mwi/${encodeURIComponent(t)}`,{enabled:n})}withToken(t){let n=t.includes("?")?"&":"?";return`${t}${n}token=${encodeURIComponent(this.token)}`}},At="omnivox-session";function fr(){try{let e=sessionStorage.getItem(At);if(!e)return;let t=JSON.parse(e);if(typeof t=="object"&&t!==null&&"token"in t&&"userId"in t&&typeof t.token=="string"&&typeof t.userId=="string")return{token:t.token,userId:t.userId}}catch{}}function mr(e){sessionStorage.setItem(At,JSON.stringify(e))}function hr(){sessionStorage.removeItem(At)}var gr=function(e,t,n,r){var i;t[0]=0;for(var o=1;o<t.length;o++){var s=t[o++],c=t[o]?(t[0]|=s?1:2,n[t[o++]]):t[++o];s===3?r[0]=c:s===4?r[1]=Object.assign(r[1]||{},c):s===5?(r[1]=r[1]||{})[t[++o]]=c:s===6?r[1][t[++o]]+=c+"":s?(i=e.apply(c,gr(e,c,n,["",null])),r.push(i),c[0]?t[0]|=2:(t[o-2]=0,t[o]=i)):r.push(c)}return r},_r=new Map;function $r(e){var t=_r.get(this);return t||(t=new Map,_r.set(this,t)),(t=gr(this,t.get(e)||(t.set(e,t=(function(n){for(var r,i,o=1,s="",c="",l=[0],p=function(d){o===1&&(d||(s=s.replace(/^\s*\n\s*|\s*\n\s*$/g,"")))?l.push(0,d,s):o===3&&(d||s)?(l.push(3,d,s),o=2):o===2&&s==="..."&&d?l.push(4,d,0):o===2&&s&&!d?l.push(5,0,!0,s):o>=5&&((s||!d&&o===5)&&(l.push(o,0,s,i),o=6),d&&(l.push(o,d,0,i),o=6)),s=""},a=0;a<n.length;a++){a&&(o===1&&p(),p(a));for(var m=0;m<n[a].length;m++)r=n[a][m],o===1?r==="<"?(p(),l=[l],o=3):s+=r:o===4?s==="--"&&r===">"?(o=1,s=""):s=r+s[0]:c?r===c?c="":s+=r:r==='"'||r==="'"?c=r:r===">"?(p(),o=1):o&&(r==="="?(o=5,i=s,s=""):r==="/"&&(o<5||n[a][m+1]===">")?(p(),o===3&&(l=l[0]),o=l,(l=l[0]).push(2,0,o),o=0):r===" "||r==="	"||r===`
`||r==="\r"?(p(),o=2):s+=r),o===3&&s==="!--"&&(o=4,l=l[0])}return p(),l})(e)),t),arguments,[])).length>1?t:t[0]}var f=$r.bind(Dt);function vr(e){let t=Math.max(0,Math.round(e/1e3)),n=Math.floor(t/60),r=t%60;return`${n}:${String(r).padStart(2,"0")}`}function ze(e){let t=new Date(e);return Number.isNaN(t.getTime())?e:t.toLocaleString(void 0,{dateStyle:"medium",timeStyle:"short"})}function ke(e,t){return t&&e?`${t} (${e})`:t??e??"unknown caller"}function Ge(e){let t=e.trim();return/^(tel|sips?):/i.test(t)?t:`tel:${t.replace(/[\s().-]/g,"")}`}var de=e=>`f-${e}`;function qe(e,t,n){let r=e.field?e.field.split("."):[];for(let i=r.length;i>0;i--){let o=r.slice(0,i).join(".");if(t?.querySelector(`[id="${de(o)}"]`))return{[o]:e.reason}}return{[n]:e.field?`${e.field}: ${e.reason}`:e.message}}var br=e=>e.currentTarget.value;function U(e){return e.error?f`<p class="field-error" id=${`${de(e.path)}-err`} role="alert">
    ${e.error}
  </p>`:null}function Tt(e){return[e.error?`${de(e.path)}-err`:"",e.hint?`${de(e.path)}-hint`:""].filter(Boolean).join(" ")||void 0}function C(e){let t=de(e.path),n={id:t,name:e.path,value:e.value,"aria-invalid":e.error?"true":void 0,"aria-describedby":Tt(e),placeholder:e.placeholder,required:e.required,onInput:r=>e.onInput(br(r))};return f`<div class="field">
    <label for=${t}>${e.label}</label>
    ${e.multiline?f`<textarea rows="3" ...${n}></textarea>`:f`<input
            type=${e.type??"text"}
            autocomplete=${e.autocomplete??"off"}
            inputmode=${e.inputmode}
            ...${n}
          />`}
    ${e.hint?f`<p class="hint" id=${`${t}-hint`}>${e.hint}</p>`:null}
    <${U} path=${e.path} error=${e.error} />
  </div>`}function ne(e){let t=de(e.path);return f`<div class="field">
    <label for=${t}>${e.label}</label>
    <select
      id=${t}
      name=${e.path}
      aria-invalid=${e.error?"true":void 0}
      aria-describedby=${Tt(e)}
      onChange=${n=>e.onChange(br(n))}
    >
      ${e.options.map(n=>f`<option value=${n.value} selected=${n.value===e.value}>${n.label}</option>`)}
    </select>
    <${U} path=${e.path} error=${e.error} />
  </div>`}function Ze(e){let t=de(e.path);return f`<div class="field check">
    <input
      type="checkbox"
      id=${t}
      name=${e.path}
      checked=${e.checked}
      aria-invalid=${e.error?"true":void 0}
      aria-describedby=${Tt(e)}
      onChange=${n=>e.onChange(n.currentTarget.checked)}
    />
    <label for=${t}>${e.label}</label>
    <${U} path=${e.path} error=${e.error} />
  </div>`}var Do=500,Fo=1e4,Uo=2e3,Xe=class{constructor(t,n){this.token=t;this.handlers=n}token;handlers;#e;#n=0;#t;#o=!1;#r=new Set;start(){this.#o=!1,window.addEventListener("online",this.#s),this.#i()}stop(){this.#o=!0,window.removeEventListener("online",this.#s),clearTimeout(this.#t),this.#e?.close(1e3,"logout"),this.#e=void 0}send(t){return this.#e?.readyState!==WebSocket.OPEN?!1:(this.#e.send(JSON.stringify(t)),!0)}#s=()=>{this.#e||this.#o||(clearTimeout(this.#t),this.#n=0,this.#i())};#i(){this.#t=void 0,this.handlers.onState("connecting");let t=new URL(`/api/v1/stream?token=${encodeURIComponent(this.token)}`,location.href);t.protocol=t.protocol==="https:"?"wss:":"ws:";let n=new WebSocket(t);this.#e=n,n.onopen=()=>{this.#n=0,this.handlers.onState("open")},n.onmessage=r=>this.#a(n,r.data),n.onclose=()=>{this.#e===n&&(this.#e=void 0,this.#c())}}async#c(){if(this.#o)return;let t=Math.min(Fo,Do*2**this.#n);this.#n+=1;let n=Math.round(t*(.5+Math.random()*.5));this.handlers.onState("waiting",n),this.#t=setTimeout(()=>this.#i(),n),await this.handlers.sessionGone().catch(()=>!1)&&this.stop()}#a(t,n){let r;try{r=JSON.parse(String(n))}catch{return}let i=cr.safeParse(r);if(i.success){this.handlers.onReply(i.data);return}let o=ar.safeParse(r);if(o.success&&(t.send(JSON.stringify({type:"ack",id:o.data.id})),!this.#r.has(o.data.id))){if(this.#r.add(o.data.id),this.#r.size>Uo){let s=this.#r.values().next().value;s!==void 0&&this.#r.delete(s)}this.handlers.onEvent(r)}}};var Vo={ringing:"Ringing",recording:"Leaving a message",forwarded:"Forwarded","taken-over":"Taken over",ended:"Ended"};function Bo(e){let t=e?Date.parse(e):Number.NaN,n=()=>Math.max(0,Math.ceil((t-Date.now())/1e3)),[r,i]=x(Number.isNaN(t)?void 0:n());return K(()=>{if(Number.isNaN(t))return;let o=setInterval(()=>i(n()),250);return()=>clearInterval(o)},[t]),r}function yr(e){let[t,n]=x("");return f`<form
    class="inline"
    onSubmit=${r=>{r.preventDefault(),t.trim()&&e.onSubmit(Ge(t))}}
  >
    <label for=${e.id}>${e.label}</label>
    <input id=${e.id} type="tel" autocomplete="tel" required value=${t}
      onInput=${r=>n(r.currentTarget.value)} />
    <button type="submit">${e.button}</button>
  </form>`}function Ko(e){let{alert:t,state:n}=e.call,r=t.callId,i=Bo(t.decideBy),[o,s]=x(""),[c,l]=x(!1),p=n==="ringing",a=ke(t.from.ani,t.from.name),m=`call-${r}-title`;return f`<section class="card call" aria-labelledby=${m} data-testid="call-alert">
    <h2 id=${m}>Incoming call from <span class="call-from">${a}</span></h2>
    <p class="muted">
      to ${t.dnis} · <span class="call-state" role="status">${Vo[n]}</span>
      ${p&&i!==void 0?f` · <span class="countdown">voicemail in ${i} s</span>`:null}
      ${e.call.requested?f` · ${e.call.requested}`:null}
    </p>
    ${p?f`<div class="call-actions">
            <button type="button" class="primary"
              onClick=${()=>e.act(r,{type:"call-action",callId:r,action:"voicemail"},"sending to voicemail\u2026")}>
              Send to voicemail
            </button>
            <${yr} id=${`call-${r}-forward`} label="Forward to number" button="Forward"
              onSubmit=${d=>e.act(r,{type:"call-action",callId:r,action:"forward",to:d},`forwarding to ${d}\u2026`)} />
            <form class="inline"
              onSubmit=${d=>{d.preventDefault(),o.trim()&&e.act(r,{type:"call-action",callId:r,action:"reply",text:o.trim()},"replying\u2026")}}>
              <label for=${`call-${r}-reply`}>Reply text (spoken to the caller)</label>
              <input id=${`call-${r}-reply`} required value=${o}
                onInput=${d=>s(d.currentTarget.value)} />
              <button type="submit">Reply with text</button>
            </form>
          </div>`:null}
    ${n==="recording"?f`<div class="call-actions">
            ${e.call.screenUrl?c?f`<audio controls autoplay src=${e.api.withToken(e.call.screenUrl)}
                      aria-label=${`Live message from ${a}`} data-testid="screening"></audio>`:f`<button type="button" class="primary" onClick=${()=>l(!0)}>
                      Listen live
                    </button>`:null}
            <${yr} id=${`call-${r}-takeover`} label="Take the call at number" button="Take over"
              onSubmit=${d=>e.act(r,{type:"call-action",callId:r,action:"takeover",to:d},`taking over at ${d}\u2026`)} />
          </div>`:null}
    ${n==="ended"||n==="forwarded"||n==="taken-over"?f`<button type="button" onClick=${()=>e.onDismiss(r)}>Dismiss</button>`:null}
  </section>`}function xr(e){return e.calls.length===0?null:f`<div class="calls" aria-live="assertive">
    ${e.calls.map(t=>f`<${Ko} key=${t.alert.callId} call=${t} api=${e.api}
        act=${e.act} onDismiss=${e.onDismiss} />`)}
  </div>`}var Wo=[{id:"voicemail",label:"Voicemail"},{id:"messages",label:"Messages"},{id:"profile",label:"Profile"}];function Ho(e,t){return e==="open"?"connected":e==="connecting"?"connecting\u2026":`offline, retrying in ${Math.max(1,Math.round((t??0)/1e3))} s`}function wr(e){let t=e.mwi?.total,n=(t?.new??0)>0,r=t?`${t.new} new, ${t.old} saved voicemail messages`:"message waiting not known yet";return f`<header class="top">
    <div class="brand">
      <strong>omnivox</strong>
      <span class="user">${e.userId}</span>
    </div>
    <div class=${`mwi-badge${n?" waiting":""}`} role="status" aria-label=${r}>
      <span aria-hidden="true" class="lamp"></span>
      <span data-testid="mwi-new">${t?t.new:"\u2013"}</span>
      <span class="mwi-word" aria-hidden="true">new</span>
    </div>
    <p class=${`conn ${e.stream.state}`} role="status" data-testid="connection">
      ${Ho(e.stream.state,e.stream.retryInMs)}
    </p>
    <button type="button" class="link" onClick=${e.onLogout}>Log out</button>
    <nav aria-label="Screens" class="tabs">
      ${Wo.map(i=>f`<button
          type="button"
          aria-current=${e.screen===i.id?"page":void 0}
          onClick=${()=>e.onScreen(i.id)}
        >
          ${i.label}
        </button>`)}
    </nav>
  </header>`}var zr=[{value:"email",label:"Email address"},{value:"phone",label:"Phone number"},{value:"xmpp",label:"XMPP address"}],Go={email:"bob@example.net",phone:"+15550100",xmpp:"bob@chat.example.net"};function qo(e,t){let n=t.trim();if(e==="phone")return Ge(n);let r=e==="email"?"mailto:":"xmpp:";return n.startsWith(r)?n:`${r}${n}`}function Xo(e){let[t,n]=x("email"),[r,i]=x(""),[o,s]=x(""),[c,l]=x(""),[p,a]=x(),[m,d]=x({}),[u,h]=x("");return K(()=>{let _=e.reply;if(!_||!p||_.requestId!==p)return;if(a(void 0),_.type==="sent"){h("Sent."),i(""),s(""),l("");return}let v=_.field==="to"||_.field==="text"||_.field==="subject"?_.field:"send",b=`${_.field}: `;d({[v]:_.message.startsWith(b)?_.message.slice(b.length):_.message}),h("")},[e.reply,p]),f`<form class="card send" onSubmit=${_=>{_.preventDefault(),d({});let v=crypto.randomUUID(),b={type:"send",to:qo(t,r),text:c,requestId:v};if(t==="email"&&o.trim()&&(b.subject=o.trim()),!e.send(b)){d({send:"Not connected: the message was not sent. Try again when connected."});return}a(v),h("Sending\u2026")}} aria-labelledby="send-title">
    <h2 id="send-title">Send a message</h2>
    <${ne}
      path="kind"
      label="Send to"
      value=${t}
      options=${zr}
      onChange=${_=>n(_)}
    />
    <${C}
      path="to"
      label=${zr.find(_=>_.value===t)?.label??"Address"}
      value=${r}
      onInput=${i}
      type=${t==="phone"?"tel":t==="email"?"email":"text"}
      placeholder=${Go[t]}
      error=${m.to}
      required
    />
    ${t==="email"?f`<${C}
            path="subject"
            label="Subject"
            value=${o}
            onInput=${s}
            error=${m.subject}
          />`:null}
    <${C}
      path="text"
      label="Message"
      value=${c}
      onInput=${l}
      multiline
      required
      error=${m.text}
    />
    <div class="row">
      <button type="submit" class="primary" disabled=${p!==void 0}>Send</button>
      <span class="status" role="status">${u}</span>
    </div>
    ${m.send?f`<p class="field-error" role="alert">${m.send}</p>`:null}
  </form>`}function kr(e){return f`<div class="screen two-col">
    <section aria-labelledby="msg-title" class="col-main">
      <h2 id="msg-title">Messages</h2>
      ${e.messages.length===0?f`<p class="muted">No messages yet. New ones appear here as they arrive.</p>`:f`<ol class="list" aria-live="polite">
              ${e.messages.map(t=>f`<li key=${t.id} class="card msg" data-testid="message">
                  <div class="msg-head">
                    <strong class="msg-from">${t.from}</strong>
                    <time class="muted" datetime=${t.receivedAt}>${ze(t.receivedAt)}</time>
                  </div>
                  ${t.subject?f`<p class="msg-subject">${t.subject}</p>`:null}
                  <p class="msg-text">${t.text}</p>
                  ${t.audioUrl?f`<a href=${t.audioUrl} target="_blank" rel="noopener">Recording</a>`:null}
                </li>`)}
            </ol>`}
    </section>
    <aside class="col-side"><${Xo} send=${e.send} reply=${e.reply} /></aside>
  </div>`}function Zr(e){return f`<fieldset class="list-edit" id=${`f-${e.path}`}>
    <legend>${e.title}</legend>
    ${e.items.map((t,n)=>f`<div class="row item" key=${n}>
        <${C}
          path=${`${e.path}.${n}`}
          label=${`${e.noun[0]?.toUpperCase()}${e.noun.slice(1)} ${n+1}`}
          value=${t}
          type=${e.type}
          placeholder=${e.placeholder}
          error=${e.errors[`${e.path}.${n}`]}
          onInput=${r=>e.edit(i=>{i[e.path][n]=r})}
        />
        <button
          type="button"
          class="remove"
          aria-label=${`Remove ${e.noun} ${n+1}`}
          onClick=${()=>e.edit(r=>{r[e.path].splice(n,1)})}
        >
          Remove
        </button>
      </div>`)}
    ${e.errors[e.path]?f`<p class="field-error" role="alert">${e.errors[e.path]}</p>`:null}
    <button type="button" onClick=${()=>e.edit(t=>{t[e.path].push("")})}>
      Add ${e.noun}
    </button>
  </fieldset>`}function Sr(e){return f`<div class="group">
    <${C}
      path="displayName"
      label="Display name"
      value=${e.draft.displayName}
      autocomplete="name"
      error=${e.errors.displayName}
      onInput=${t=>e.edit(n=>{n.displayName=t})}
    />
    <${Zr}
      path="phones"
      noun="phone number"
      title="Phone numbers"
      items=${e.draft.phones}
      errors=${e.errors}
      edit=${e.edit}
      type="tel"
      placeholder="+15550100"
    />
    <${Zr}
      path="emails"
      noun="email address"
      title="Email addresses"
      items=${e.draft.emails}
      errors=${e.errors}
      edit=${e.edit}
      type="email"
      placeholder="alice@example.com"
    />
  </div>`}var Jo=[{value:"*",label:"anything else"},...Jn.map(e=>({value:e,label:e}))],Yo=[{value:"",label:"default"},{value:"wav",label:"WAV"},{value:"mp3",label:"MP3"}];function Qo(e){let{r:t,i:n}=e,r=`routes.${n}`,i=s=>e.edit(c=>{let l=c.routes[n];l&&s(l)}),o=(s,c)=>i(l=>{c===""?delete l[s]:l[s]=c});return f`<fieldset class="item-edit" id=${`f-${r}`}>
    <legend>Route ${n+1}</legend>
    <${ne} path=${`${r}.from`} label="From" value=${t.from} options=${Jo}
      error=${e.errors[`${r}.from`]}
      onChange=${s=>i(c=>{c.from=s})} />
    <fieldset class="targets" id=${`f-${r}.to`}
      aria-describedby=${e.errors[`${r}.to`]?`f-${r}.to-err`:void 0}>
      <legend>To</legend>
      ${Yn.map(s=>f`<label class="check-inline" key=${s}>
          <input type="checkbox" name=${`${r}.to`} value=${s} checked=${t.to.includes(s)}
            onChange=${c=>{let l=c.currentTarget.checked;i(p=>{p.to=l?[...p.to.filter(a=>a!==s),s]:p.to.filter(a=>a!==s)})}} />
          ${s}
        </label>`)}
    </fieldset>
    <${U} path=${`${r}.to`} error=${e.errors[`${r}.to`]} />
    <${Ze} path=${`${r}.transcribe`} label="Transcribe voice" checked=${t.transcribe??!1}
      error=${e.errors[`${r}.transcribe`]}
      onChange=${s=>i(c=>{c.transcribe=s})} />
    <${ne} path=${`${r}.audioFormat`} label="Audio format" value=${t.audioFormat??""}
      options=${Yo} error=${e.errors[`${r}.audioFormat`]}
      onChange=${s=>i(c=>{s==="wav"||s==="mp3"?c.audioFormat=s:delete c.audioFormat})} />
    <${C} path=${`${r}.voice`} label="TTS voice" value=${t.voice??""}
      error=${e.errors[`${r}.voice`]} onInput=${s=>o("voice",s)} />
    <${C} path=${`${r}.language`} label="Language" value=${t.language??""}
      placeholder="en-US" hint="BCP 47 tag, for speech in both directions"
      error=${e.errors[`${r}.language`]} onInput=${s=>o("language",s)} />
    <div class="row">
      <button type="button" aria-label=${`Move route ${n+1} up`} disabled=${n===0}
        onClick=${()=>e.edit(s=>{let[c]=s.routes.splice(n,1);c&&s.routes.splice(n-1,0,c)})}>Up</button>
      <button type="button" class="remove" aria-label=${`Remove route ${n+1}`}
        onClick=${()=>e.edit(s=>{s.routes.splice(n,1)})}>Remove</button>
    </div>
  </fieldset>`}function Pr(e){return f`<div class="group">
    <h3>Routes</h3>
    <p class="hint">
      The first route whose “from” matches decides; without one, the defaults apply (voice to
      email and IM, email to IM, IM to email).
    </p>
    ${e.routes.map((t,n)=>f`<${Qo} key=${n} r=${t} i=${n} errors=${e.errors} edit=${e.edit} />`)}
    <button type="button" onClick=${()=>e.edit(t=>{t.routes.push({from:"*",to:["email"]})})}>
      Add route
    </button>
  </div>`}function Er(e){let[t,n]=x(""),[r,i]=x(""),[o,s]=x(""),[c,l]=x({}),[p,a]=x(""),m=ee(null);return f`<form class="card" ref=${m} onSubmit=${async u=>{if(u.preventDefault(),l({}),a(""),r!==o){l({confirm:"does not match the new password"});return}let h={};if(t&&(h.pin=t),r&&(h.password=r),!h.pin&&!h.password){l({security:"Enter a new PIN or a new password."});return}try{await e.api.patchProfile(h),n(""),i(""),s(""),a(h.pin&&h.password?"PIN and password changed.":h.pin?"PIN changed.":"Password changed.")}catch($){$ instanceof A?l(qe($,m.current,"security")):l({security:"the change failed; try again"})}}} aria-labelledby="sec-title">
    <h2 id="sec-title">PIN and password</h2>
    <${C} path="pin" label="New PIN" value=${t} onInput=${n} type="password"
      inputmode="numeric" autocomplete="off" hint="4–12 digits, for the mailbox by phone"
      error=${c.pin} />
    <${C} path="password" label="New password" value=${r} onInput=${i}
      type="password" autocomplete="new-password" hint="at least 8 characters" error=${c.password} />
    <${C} path="confirm" label="Repeat new password" value=${o} onInput=${s}
      type="password" autocomplete="new-password" error=${c.confirm} />
    <div class="row">
      <button type="submit" class="primary">Change</button>
      <span class="status" role="status">${p}</span>
    </div>
    <${U} path="security" error=${c.security} />
  </form>`}var ei=[{value:"internal",label:"omnivox voicemail"},{value:"sip",label:"SIP (MWI subscription)"},{value:"smdi",label:"SMDI station"}],ti=[{value:"web",label:"Web client"},{value:"xmpp",label:"XMPP (Jabber)"}];function Cr(e,t){return t==="sip"?{id:e,kind:t,uri:""}:t==="smdi"?{id:e,kind:t,link:"",station:""}:{id:e,kind:"internal"}}function ni(e){let{s:t,i:n}=e,r=`voicemailSystems.${n}`,i=(s,c)=>e.edit(l=>{let p=l.voicemailSystems[n];p&&(p[s]=c===""&&s==="depositUri"?void 0:c)}),o=(s,c,l,p)=>f`<${C} path=${`${r}.${s}`} label=${c} value=${l??""} hint=${p}
      error=${e.errors[`${r}.${s}`]} onInput=${a=>i(s,a)} />`;return f`<fieldset class="item-edit" id=${`f-${r}`}>
    <legend>Voicemail system ${n+1}</legend>
    ${o("id","Name",t.id)}
    <${ne} path=${`${r}.kind`} label="Kind" value=${t.kind} options=${ei}
      error=${e.errors[`${r}.kind`]}
      onChange=${s=>e.edit(c=>{c.voicemailSystems[n]=Cr(t.id,s)})} />
    ${t.kind==="sip"?o("uri","MWI URI",t.uri,"sip:box@pbx.example.net"):null}
    ${t.kind==="smdi"?o("link","SMDI link",t.link):null}
    ${t.kind==="smdi"?o("station","Station",t.station):null}
    ${t.kind!=="internal"?o("depositUri","Deposit URI (optional)",t.depositUri):null}
    ${e.mwi?f`<div class="field check">
            <input type="checkbox" id=${`f-mwiEnabled.${t.id}`} checked=${e.mwi.enabled}
              aria-describedby=${e.errors[`mwiEnabled.${t.id}`]?`f-mwiEnabled.${t.id}-err`:void 0}
              onChange=${s=>e.onMwi(t.id,s.currentTarget.checked)} />
            <label for=${`f-mwiEnabled.${t.id}`}>Message waiting from this system</label>
            ${e.errors[`mwiEnabled.${t.id}`]?f`<p class="field-error" role="alert" id=${`f-mwiEnabled.${t.id}-err`}>
                    ${e.errors[`mwiEnabled.${t.id}`]}
                  </p>`:null}
          </div>`:f`<p class="hint">Save the profile to switch message waiting for this system.</p>`}
    <button type="button" class="remove" aria-label=${`Remove voicemail system ${n+1}`}
      onClick=${()=>e.edit(s=>{s.voicemailSystems.splice(n,1)})}>Remove</button>
  </fieldset>`}function ri(e){let{c:t,i:n}=e,r=`imClients.${n}`;return f`<fieldset class="item-edit" id=${`f-${r}`}>
    <legend>IM client ${n+1}</legend>
    <${C} path=${`${r}.id`} label="Name" value=${t.id} error=${e.errors[`${r}.id`]}
      onInput=${i=>e.edit(o=>{let s=o.imClients[n];s&&(s.id=i)})} />
    <${ne} path=${`${r}.kind`} label="Kind" value=${t.kind} options=${ti}
      error=${e.errors[`${r}.kind`]}
      onChange=${i=>e.edit(o=>{o.imClients[n]=i==="xmpp"?{id:t.id,kind:"xmpp",jid:""}:{id:t.id,kind:"web"}})} />
    ${t.kind==="xmpp"?f`<${C} path=${`${r}.jid`} label="JID" value=${t.jid} error=${e.errors[`${r}.jid`]}
            placeholder="alice@chat.example.net"
            onInput=${i=>e.edit(o=>{let s=o.imClients[n];s?.kind==="xmpp"&&(s.jid=i)})} />`:null}
    <button type="button" class="remove" aria-label=${`Remove IM client ${n+1}`}
      onClick=${()=>e.edit(i=>{i.imClients.splice(n,1)})}>Remove</button>
  </fieldset>`}function Ir(e){let t=(n,r)=>{let i=r.length+1;for(;r.some(o=>o.id===`${n}${i}`);)i++;return`${n}${i}`};return f`<div class="group">
    <h3>Voicemail systems</h3>
    ${e.systems.map((n,r)=>f`<${ni} key=${r} s=${n} i=${r} errors=${e.errors} edit=${e.edit}
        mwi=${e.mwi?.systems.find(i=>i.id===n.id)} onMwi=${e.onMwi} />`)}
    <button type="button" onClick=${()=>e.edit(n=>{n.voicemailSystems.push(Cr(t("box",n.voicemailSystems),"sip"))})}>
      Add voicemail system
    </button>
    <h3>IM clients</h3>
    ${e.clients.map((n,r)=>f`<${ri} key=${r} c=${n} i=${r} errors=${e.errors} edit=${e.edit} />`)}
    <button type="button" onClick=${()=>e.edit(n=>{n.imClients.push({id:t("client",n.imClients),kind:"xmpp",jid:""})})}>
      Add IM client
    </button>
  </div>`}function oi(e){let{id:t,...n}=structuredClone(e);for(let r of n.voicemailSystems)r.kind!=="internal"&&!r.depositUri&&delete r.depositUri;return n.mwi.supplemental.text||delete n.mwi.supplemental.text,n}function ii(e){let t=e.draft.mwi;return f`<div class="group" id="f-mwi">
    <h3>Message waiting indicators</h3>
    <${Ze} path="mwi.enabled" label="Send indicators to my IM clients" checked=${t.enabled}
      error=${e.errors["mwi.enabled"]}
      onChange=${n=>e.edit(r=>{r.mwi.enabled=n})} />
    <${Ze} path="mwi.supplemental.timestamp" label="Include the time of the last message"
      checked=${t.supplemental.timestamp} error=${e.errors["mwi.supplemental.timestamp"]}
      onChange=${n=>e.edit(r=>{r.mwi.supplemental.timestamp=n})} />
    <${C} path="mwi.supplemental.text" label="Supplemental text" value=${t.supplemental.text??""}
      hint="Shown with every indicator (a notice, up to 500 characters)"
      error=${e.errors["mwi.supplemental.text"]}
      onInput=${n=>e.edit(r=>{r.mwi.supplemental.text=n})} />
  </div>`}function Mr(e){let[t,n]=x(),[r,i]=x({}),[o,s]=x(""),[c,l]=x(!1),p=ee(null);K(()=>{e.api.profile().then(n,u=>i({profile:u instanceof A?u.reason:"the profile could not be loaded"}))},[e.api]);let a=u=>n(h=>{if(!h)return h;let $=structuredClone(h);return u($),$}),m=async u=>{if(u.preventDefault(),!!t){l(!0),i({}),s("Saving\u2026");try{n(await e.api.patchProfile(oi(t))),s("Saved."),e.onMwiChanged()}catch(h){s(""),i(h instanceof A?qe(h,p.current,"profile"):{profile:"saving failed"})}finally{l(!1)}}},d=async(u,h)=>{let $=`mwiEnabled.${u}`;i(({[$]:_,...v})=>v);try{await e.api.setMwiEnabled(u,h)}catch(_){i(v=>({...v,[$]:_ instanceof A?_.reason:"not changed"}))}e.onMwiChanged()};return f`<div class="screen two-col profile">
    <form class="card col-main" ref=${p} onSubmit=${m} aria-labelledby="profile-title" novalidate>
      <h2 id="profile-title">Profile</h2>
      ${t?f`<${Sr} draft=${t} errors=${r} edit=${a} />
              <${Ir} systems=${t.voicemailSystems} clients=${t.imClients} mwi=${e.mwi}
                errors=${r} edit=${a} onMwi=${d} />
              <${ii} draft=${t} errors=${r} edit=${a} />
              <${Pr} routes=${t.routes} errors=${r} edit=${a} />
              <div class="row sticky-save">
                <button type="submit" class="primary" disabled=${c}>Save profile</button>
                <span class="status" role="status">${o}</span>
              </div>`:f`<p class="muted">Loading…</p>`}
      <${U} path="profile" error=${r.profile} />
    </form>
    <aside class="col-side"><${Er} api=${e.api} /></aside>
  </div>`}var Ar=e=>e instanceof A?e.reason:"something went wrong; try again";function si(e){let{vm:t}=e,[n,r]=x(),[i,o]=x(!1),[s,c]=x();K(()=>()=>n?URL.revokeObjectURL(n):void 0,[n]);let l=async m=>{o(!0),c(void 0);try{await m(),e.onChanged()}catch(d){c(Ar(d))}finally{o(!1)}},p=async()=>{c(void 0);try{r(URL.createObjectURL(await e.api.audio(t.id)))}catch(m){c(Ar(m))}},a=ke(t.from.ani);return f`<li class=${`vm card ${t.state}`} data-testid="voicemail" data-id=${t.id}>
    <div class="vm-head">
      <strong class="vm-caller">${a}</strong>
      ${t.state==="new"?f`<span class="tag new">new</span>`:null}
      ${t.urgent?f`<span class="tag urgent">urgent</span>`:null}
      <span class="vm-meta muted">
        <time datetime=${t.receivedAt}>${ze(t.receivedAt)}</time>${" \xB7 "}<span
          aria-label="duration"
          >${vr(t.durationMs)}</span
        >
      </span>
    </div>
    ${t.transcript!==void 0?f`<p class="transcript">${t.transcript||f`<em class="muted">(no words recognised)</em>`}</p>`:null}
    <div class="vm-actions">
      ${n?f`<audio controls autoplay src=${n} aria-label=${`Voicemail from ${a}`}></audio>`:f`<button type="button" onClick=${p} aria-label=${`Play voicemail from ${a}`}>
              Play
            </button>`}
      ${t.state==="new"?f`<button
              type="button"
              disabled=${i}
              onClick=${()=>l(()=>e.api.markRead(t.id))}
              aria-label=${`Mark voicemail from ${a} read`}
            >
              Mark read
            </button>`:null}
      <button
        type="button"
        class="danger"
        disabled=${i}
        onClick=${()=>l(()=>e.api.deleteVoicemail(t.id))}
        aria-label=${`Delete voicemail from ${a}`}
      >
        Delete
      </button>
    </div>
    ${s?f`<p class="field-error" role="alert">${s}</p>`:null}
  </li>`}function ci(e){let t=e.mwi;return f`<section class="card mwi" aria-labelledby="mwi-title">
    <h2 id="mwi-title">Message waiting</h2>
    ${t?f`<p class="mwi-total" data-testid="mwi-total">
            <strong>${t.total.new}</strong> new${t.total.urgentNew?` (${t.total.urgentNew} urgent)`:""},
            ${" "}<strong>${t.total.old}</strong> saved, across ${t.systems.length}
            ${t.systems.length===1?" system":" systems"}
          </p>`:f`<p class="mwi-total muted">Loading…</p>`}
    <ul class="systems">
      ${(t?.systems??[]).map(n=>f`<li key=${n.id} class=${n.enabled?"":"off"}>
          <span class="sys-id">${n.id}</span>
          <span class="sys-kind muted">${n.kind??""}</span>
          <span class="sys-counts">${n.enabled?`${n.new} new \xB7 ${n.old} saved`:"MWI off"}</span>
          ${n.lastCaller?f`<span class="sys-caller muted">
                  last: ${ke(n.lastCaller.ani)} · ${ze(n.lastCaller.at)}
                </span>`:null}
        </li>`)}
    </ul>
    ${t?.supplemental?.text?f`<p class="supplemental">${t.supplemental.text}</p>`:null}
  </section>`}function Tr(e){return f`<div class="screen two-col">
    <section aria-labelledby="vm-title" class="col-main">
      <div class="section-head">
        <h2 id="vm-title">Voicemail</h2>
        <button type="button" onClick=${e.onChanged}>Refresh</button>
      </div>
      ${e.error?f`<p class="field-error" role="alert">${e.error}</p>`:null}
      ${e.items===void 0?f`<p class="muted">Loading…</p>`:e.items.length===0?f`<p class="muted">No voicemail.</p>`:f`<ol class="list">
                ${e.items.map(t=>f`<${si}
                    key=${t.id}
                    api=${e.api}
                    vm=${t}
                    onChanged=${e.onChanged}
                  />`)}
              </ol>`}
    </section>
    <aside class="col-side"><${ci} mwi=${e.mwi} /></aside>
  </div>`}var ai=200;function Rr(e){let t=Ne(()=>new He(e.session.token,e.session.userId,e.onLogout),[e.session]),[n,r]=x("voicemail"),[i,o]=x({state:"connecting"}),[s,c]=x([]),[l,p]=x(),[a,m]=x(),[d,u]=x(),[h,$]=x(),[_,v]=x([]),b=ee(void 0),P=ee(0),k=ee(-1),N=j(()=>{t.voicemail().then(w=>{u(w),$(void 0)},w=>$(w instanceof A?w.reason:"voicemail not loaded"))},[t]),J=j(()=>{let w=P.current;t.mwi().then(y=>{P.current===w&&m(y)},()=>{})},[t]),re=j(w=>{if(w.type==="message"){let y=or.safeParse(w);if(!y.success)return;c(T=>[y.data,...T].slice(0,ai)),y.data.audioUrl&&N()}else if(w.type==="mwi"){let y=We.safeParse(w);if(!y.success)return;let T=y.data.version;if(T!==void 0){if(T<k.current)return;k.current=T}P.current+=1,m(y.data),N()}else if(w.type==="call-alert"){let y=ir.safeParse(w);if(!y.success)return;v(T=>[...T.filter(B=>B.alert.callId!==y.data.callId),{alert:y.data,state:"ringing"}])}else if(w.type==="call-update"){let y=sr.safeParse(w);if(!y.success)return;v(T=>T.map(B=>B.alert.callId===y.data.callId?{...B,state:y.data.state,screenUrl:y.data.screenUrl??B.screenUrl,requested:void 0}:B))}},[N]);K(()=>{let w=new Xe(t.token,{onEvent:re,onReply:y=>{if(y.type==="error"&&y.callId!==void 0){let{callId:T,message:B}=y;v(Je=>Je.map(oe=>oe.alert.callId===T?{...oe,requested:B}:oe))}else p(y)},onState:(y,T)=>{o({state:y,retryInMs:T}),y==="open"&&(k.current=-1,J(),N())},sessionGone:()=>t.check().then(()=>!1,y=>y instanceof A&&y.status===401)});return b.current=w,w.start(),()=>w.stop()},[t,re,J,N]);let W=j(w=>b.current?.send(w)??!1,[]),Se=j((w,y,T)=>{let B=b.current?.send(y)??!1;v(Je=>Je.map(oe=>oe.alert.callId===w?{...oe,requested:B?T:"not connected: not sent"}:oe))},[]),V=j(w=>v(y=>y.filter(T=>T.alert.callId!==w)),[]),H=j(()=>{N(),J()},[N,J]);return f`<div class="app">
    <${wr} userId=${e.session.userId} mwi=${a} stream=${i} screen=${n}
      onScreen=${r} onLogout=${e.onLogout} />
    <${xr} calls=${_} api=${t} act=${Se} onDismiss=${V} />
    <main id="main">
      ${n==="voicemail"?f`<${Tr} api=${t} items=${d} error=${h} mwi=${a} onChanged=${H} />`:null}
      ${n==="messages"?f`<${kr} messages=${s} send=${W} reply=${l} />`:null}
      ${n==="profile"?f`<${Mr} api=${t} mwi=${a} onMwiChanged=${J} />`:null}
    </main>
  </div>`}function Nr(e){let[t,n]=x(""),[r,i]=x(""),[o,s]=x(),[c,l]=x(!1);return f`<main class="login">
    <h1>omnivox</h1>
    <form onSubmit=${async a=>{a.preventDefault(),l(!0),s(void 0);try{let m=t.trim(),d=await dr(m,r);e.onLogin({token:d,userId:m})}catch(m){s(m instanceof A?m.reason:"login failed; try again"),l(!1)}}} aria-labelledby="login-title" class="card">
      <h2 id="login-title">Log in</h2>
      <${C}
        path="user"
        label="User"
        value=${t}
        onInput=${n}
        autocomplete="username"
        required
      />
      <${C}
        path="password"
        label="Password"
        type="password"
        value=${r}
        onInput=${i}
        autocomplete="current-password"
        required
      />
      <button type="submit" class="primary" disabled=${c}>Log in</button>
      <${U} path="login" error=${o} />
    </form>
  </main>`}function ui(){let[e,t]=x(fr),n=j(i=>{mr(i),t(i)},[]),r=j(()=>{hr(),t(void 0)},[]);return e?f`<${Rr} key=${e.token} session=${e} onLogout=${r} />`:f`<${Nr} onLogin=${n} />`}var Or=document.getElementById("app");Or&&Ht(f`<${ui} />`,Or);
